// The sandbox process: Lambda's Node.js runtime in miniature. Loads the handler's module once (the
// cold start), then serves one invocation at a time from the rehearsal, over the IPC channel.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [moduleFile, exportName, functionArn] = process.argv.slice(2);
const env = process.env;

let handler;
let initError;
try {
  handler = (await import(pathToFileURL(moduleFile).href))[exportName];
  if (typeof handler !== 'function') initError = { errorType: 'Runtime.HandlerNotFound', errorMessage: `${moduleFile} does not export a function named ${exportName}`, trace: [] };
} catch (error) {
  initError = serialize(error, 'Runtime.ImportModuleError');
}
process.send({ type: 'ready' });

process.on('message', async ({ requestId, event, deadline }) => {
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: functionArn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    if (initError) throw initError;
    const value = await handler(event, context);
    process.send({ type: 'result', requestId, value: value ?? null, maxRssKb: peakRssKb() });
  } catch (error) {
    process.send({ type: 'result', requestId, error: error === initError ? initError : serialize(error, 'Error'), maxRssKb: peakRssKb() });
  }
});

/**
 * This process's own peak resident memory. Not resourceUsage().maxRSS: Linux keeps that across
 * exec, so a sandbox forked from the rehearsal would report the rehearsal's peak, not its own.
 */
function peakRssKb() {
  try {
    return Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
  } catch {
    return process.resourceUsage().maxRSS;
  }
}

/** As Lambda reports a handler's error: its name as errorType, its message, its stack as trace. */
function serialize(error, fallback) {
  if (!(error instanceof Error)) return { errorType: fallback, errorMessage: String(error), trace: [] };
  return { errorType: error.name || fallback, errorMessage: error.message, trace: (error.stack ?? '').split('\n') };
}
