import { ContainerModule } from 'inversify';

/**
 * Services a plugin may need besides its params, bound in the inversify container (as Eclipse
 * Theia binds its services) and handed to every `create` through `PluginContext.services`. A user
 * plugin module that is a `ContainerModule` can `rebind` any of them; the built-in defaults are
 * bound first by `createContainer`.
 */

/** Monotonic time in milliseconds (the fit loop's trajectory seconds come from it). */
export interface Clock {
  now(): number;
}

/** Where plugins report what a user should see but that is not an error. */
export interface LogSink {
  warn(message: string): void;
  info(message: string): void;
}

/** One inversify symbol per service (plugins have one symbol per kind, `PluginTokens`). */
export const ServiceTokens = {
  clock: Symbol.for('nmflab.service.clock'),
  log: Symbol.for('nmflab.service.log'),
  registry: Symbol.for('nmflab.service.registry'),
} as const;

export interface Services {
  clock: Clock;
  log: LogSink;
}

export const systemClock: Clock = { now: () => performance.now() };

/** Warnings to stderr, one line each; information is dropped unless a caller binds another sink. */
export const stderrLog: LogSink = {
  warn: (m) => void process.stderr.write(`nmflab: warning: ${m}\n`),
  info: () => {},
};

/** The default services; `createContainer` loads this module before any plugin module. */
export const defaultServicesModule = new ContainerModule(({ bind }) => {
  bind(ServiceTokens.clock).toConstantValue(systemClock);
  bind(ServiceTokens.log).toConstantValue(stderrLog);
});

/** The defaults, for code that builds a Registry without a container (tests, `new Registry(plugins)`). */
export const defaultServices = (): Services => ({ clock: systemClock, log: stderrLog });
