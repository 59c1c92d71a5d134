/**
 * Imported first by run.ts: the handlers' structured logger is configured when
 * its module loads, so its level must be set before any handler is imported.
 * POWERTOOLS_LOG_LEVEL=INFO npm run drills shows the handlers' logs.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
