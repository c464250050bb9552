// A second floor for the benchmark: what loading the AWS SDK's STS client and
// its fetch handler costs under the same permission flags, before any request.
import { GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";
console.log(
  typeof STSClient,
  typeof GetSessionTokenCommand,
  typeof FetchHttpHandler,
);
