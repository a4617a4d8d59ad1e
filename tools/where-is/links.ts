/** X-Ray writes an OTel trace id (32 hex) as `1-<8 hex>-<24 hex>`. */
export function xrayTraceId(traceId: string): string {
  if (!/^[0-9a-f]{32}$/.test(traceId)) return traceId;
  return `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
}

function consoleBase(region: string): string {
  const host = region.startsWith('cn-') ? `${region}.console.amazonaws.cn` : region.startsWith('us-gov-') ? `${region}.console.amazonaws-us-gov.com` : `${region}.console.aws.amazon.com`;
  return `https://${host}/cloudwatch/home?region=${region}`;
}

/** The trace in the CloudWatch console's X-Ray trace view. */
export function traceUrl(region: string, traceId: string): string {
  return `${consoleBase(region)}#xray:traces/${xrayTraceId(traceId)}`;
}

/** The console's encoding inside a Logs Insights link: percent-encoding with `*` for `%`, the punctuation it uses as syntax escaped too. */
function insightsEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)
    // Lower-case hex after `*`, as the console writes its own links.
    .replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => `*${hex.toLowerCase()}`);
}

export function insightsUnescape(value: string): string {
  return decodeURIComponent(value.replace(/\*/g, '%'));
}

/** The Logs Insights query for every line about one event, in both functions' groups; a `/webhooks/<source>` event's lines also name its source. */
export function eventQuery(eventId: string, source?: string): string {
  const id = JSON.stringify(eventId);
  return [
    'fields @timestamp, @log, level, message, status, reason, messageId, traceId, error.message',
    source === undefined ? `| filter eventId = ${id} or claimedEventId = ${id}` : `| filter (eventId = ${id} or claimedEventId = ${id}) and source = ${JSON.stringify(source)}`,
    '| sort @timestamp asc',
    '| limit 200',
  ].join('\n');
}

/** A CloudWatch Logs Insights link with the query and log groups filled in, over the last `seconds`. */
export function logsInsightsUrl(region: string, logGroups: readonly string[], query: string, seconds: number): string {
  const detail =
    `~(end~0~start~-${Math.round(seconds)}~timeType~'RELATIVE~unit~'seconds` +
    `~editorString~'${insightsEscape(query)}~source~(${logGroups.map((group) => `~'${insightsEscape(group)}`).join('')}))`;
  return `${consoleBase(region)}#logsV2:logs-insights$3FqueryDetail$3D${detail}`;
}
