import { Controller, Get, Post, SetMetadata } from '@nestjs/common';
import { Public, REQUIRED_PERMISSION } from './access-metadata';
import { assertEveryRouteDeclaresAccess } from './route-access';

const Requires = (permission: string) => SetMetadata(REQUIRED_PERMISSION, permission);

@Controller('ok')
class Declared {
  @Get()
  @Requires('activity.feed.read')
  read() {
    return undefined;
  }

  @Get('health')
  @Public()
  health() {
    return undefined;
  }

  helper() {
    return undefined;
  }
}

@Public()
@Controller('public')
class PublicClass {
  @Post()
  receive() {
    return undefined;
  }
}

@Controller('oops')
class Forgotten {
  @Get()
  @Requires('activity.feed.read')
  fine() {
    return undefined;
  }

  @Post('open')
  open() {
    return undefined;
  }
}

describe('assertEveryRouteDeclaresAccess', () => {
  it('accepts routes that declare a permission or are explicitly public', () => {
    expect(() => assertEveryRouteDeclaresAccess([Declared, PublicClass])).not.toThrow();
  });

  it('refuses to start with a route that declares neither, naming it', () => {
    expect(() => assertEveryRouteDeclaresAccess([Declared, Forgotten])).toThrow('routes without @RequirePermission() or @Public(): Forgotten.open');
  });
});
