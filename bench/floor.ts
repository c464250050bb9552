// The floor of the benchmark: a one-line script under the same permission flags.
console.log("");
