export { ERROR_CODES, type SpidErrorCode } from './codes.ts'
export {
  SpidError,
  SpidConfigError,
  TransactionError,
  OpError,
  TokenValidationError,
  InsufficientLevelError,
  NotAuthenticatedError,
  AccessRefusedError,
  FederationError,
  UnavailableError,
  isSpidError,
  type SpidErrorOptions,
} from './spid-error.ts'
