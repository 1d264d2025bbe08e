// A Node.js handler run by the real aws-lambda-ric runtime interface client.
export const handler = async (event, context) => {
  if (event.fail) {
    throw new Error("node handler says no");
  }
  return { runtime: "aws-lambda-ric", requestId: context.awsRequestId, functionName: context.functionName, invokedFunctionArn: context.invokedFunctionArn, event };
};
