/** The service's TypeORM DataSource (initialised), provided by the service runtime. */
export const DATA_SOURCE = Symbol('DATA_SOURCE');
