import { createLogger, logLevelFromEnv, type LambdaLogLevel } from '../functions/lib/logger';

function capture(minLevel: LambdaLogLevel | undefined) {
  const levels: string[] = [];
  const logger = createLogger({}, (line) => levels.push(String(JSON.parse(line).level)), undefined, minLevel);
  return { levels, logger };
}

function writeAll(logger: ReturnType<typeof createLogger>) {
  logger.debug('d');
  logger.info('i');
  logger.warn('w');
  logger.error('e');
}

describe('logger levels (Lambda advanced logging controls)', () => {
  it('reads AWS_LAMBDA_LOG_LEVEL as Lambda sets it, ignoring case and unknown values', () => {
    expect(logLevelFromEnv({ AWS_LAMBDA_LOG_LEVEL: 'WARN' })).toBe('WARN');
    expect(logLevelFromEnv({ AWS_LAMBDA_LOG_LEVEL: ' debug ' })).toBe('DEBUG');
    expect(logLevelFromEnv({ AWS_LAMBDA_LOG_LEVEL: 'VERBOSE' })).toBeUndefined();
    expect(logLevelFromEnv({})).toBeUndefined();
  });

  it.each<[LambdaLogLevel | undefined, string[]]>([
    [undefined, ['DEBUG', 'INFO', 'WARN', 'ERROR']],
    ['TRACE', ['DEBUG', 'INFO', 'WARN', 'ERROR']],
    ['DEBUG', ['DEBUG', 'INFO', 'WARN', 'ERROR']],
    ['INFO', ['INFO', 'WARN', 'ERROR']],
    ['WARN', ['WARN', 'ERROR']],
    ['ERROR', ['ERROR']],
    ['FATAL', []],
  ])('at %s writes %j', (minLevel, expected) => {
    const { levels, logger } = capture(minLevel);
    writeAll(logger);
    expect(levels).toEqual(expected);
  });

  it('children keep the level (per-record loggers are children)', () => {
    const { levels, logger } = capture('WARN');
    writeAll(logger.child({ messageId: 'm-1' }));
    expect(levels).toEqual(['WARN', 'ERROR']);
  });

  it('takes the level from the environment by default', () => {
    const saved = process.env.AWS_LAMBDA_LOG_LEVEL;
    process.env.AWS_LAMBDA_LOG_LEVEL = 'ERROR';
    try {
      const levels: string[] = [];
      writeAll(createLogger({}, (line) => levels.push(String(JSON.parse(line).level))));
      expect(levels).toEqual(['ERROR']);
    } finally {
      if (saved === undefined) delete process.env.AWS_LAMBDA_LOG_LEVEL;
      else process.env.AWS_LAMBDA_LOG_LEVEL = saved;
    }
  });
});
