"""Dump what botocore sees in INI files, for the awsmfa cross-check tests.

Reads a JSON array of file paths on stdin and writes a JSON array with one
result per path on stdout, in the same order, so that one process serves a
whole batch of files:

    {"ok": true, "sections": {...}, "profiles": {...}}
    {"ok": false, "error": "...", "line": 3}

"sections" is botocore.configloader.raw_config_parse(path,
parse_subsections=False): section name -> lower-cased key -> value, with
[DEFAULT] merged into every section and nested blocks as their raw multi-line
string. "profiles" is build_profile_map(sections)["profiles"], the profile
names the AWS CLI resolves in a config file. "ok" is whether the call the AWS
CLI makes, raw_config_parse(path) (which also parses nested blocks),
succeeds; "line" is the 1-based line configparser blames, when it names one.

Exit status 3 with a message on stderr when botocore cannot be imported.
"""

import configparser
import json
import sys

try:
    from botocore import configloader
    from botocore.exceptions import ConfigParseError
except ImportError as error:
    sys.stderr.write("botocore is not importable: %s\n" % error)
    sys.exit(3)


def blamed_line(error):
    """The line configparser names in its error, or None."""
    if getattr(error, "lineno", None) is not None:
        return error.lineno
    if isinstance(error, configparser.ParsingError) and error.errors:
        return error.errors[0][0]
    return None


def dump(path):
    """What botocore sees in one file."""
    try:
        configloader.raw_config_parse(path)
    except ConfigParseError as error:
        cause = error.kwargs.get("error")
        return {"ok": False, "error": str(cause), "line": blamed_line(cause)}
    sections = configloader.raw_config_parse(path, parse_subsections=False)
    profiles = configloader.build_profile_map(sections)["profiles"]
    return {"ok": True, "sections": sections, "profiles": profiles}


def main():
    paths = json.load(sys.stdin)
    json.dump([dump(path) for path in paths], sys.stdout)


if __name__ == "__main__":
    main()
