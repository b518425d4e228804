import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default filter for message handlers turns every error into `{ status: 'error' }`. Our
 * transport decides what a failure means (poison to the DLQ at once, a dependency outage waited
 * out, anything else retried), so it must see the handler's error as thrown.
 */
@Catch()
export class PassThroughRpcErrors implements RpcExceptionFilter {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
