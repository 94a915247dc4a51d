import pino from 'pino';

export type Logger = pino.Logger;

/** Structured JSON logs on stderr (stdout stays clean for `exec --json`), secrets redacted. */
export function createLogger(level: pino.LevelWithSilent = 'info'): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'token',
          '*.token',
          'botToken',
          '*.botToken',
          'appToken',
          '*.appToken',
          'signingSecret',
          '*.signingSecret',
          'clientSecret',
          '*.clientSecret',
          'stateSecret',
          '*.stateSecret',
          'tokenKey',
          '*.tokenKey',
          'headers.authorization',
          '*.headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}
