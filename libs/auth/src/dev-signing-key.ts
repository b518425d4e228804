import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, importSPKI, SignJWT, type KeyLike } from 'jose';

export const DEV_ALGORITHM = 'ES256';
export const DEV_KEY_ID = 'dev-1';

export interface DevKeyPair {
  readonly privateKey: KeyLike;
  readonly publicKey: KeyLike;
}

/**
 * The development key pair: generated on first use into a git-ignored folder, then shared by
 * `npm run token` and feed-api, so a locally issued token verifies without any configuration.
 * Never used when NODE_ENV=production.
 */
export async function loadOrCreateDevKeyPair(directory: string): Promise<DevKeyPair> {
  const privatePath = path.join(directory, 'jwt-es256.key.pem');
  const publicPath = path.join(directory, 'jwt-es256.pub.pem');
  try {
    return await readPair(privatePath, publicPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(directory, { recursive: true });
  const generated = await generateKeyPair(DEV_ALGORITHM, { extractable: true });
  try {
    // 'wx' makes creation atomic: if two processes race, the loser reads the winner's pair.
    await writeFile(privatePath, await exportPKCS8(generated.privateKey), { flag: 'wx', mode: 0o600 });
    await writeFile(publicPath, await exportSPKI(generated.publicKey), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await readPair(privatePath, publicPath);
    } catch (error) {
      if (attempt > 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function readPair(privatePath: string, publicPath: string): Promise<DevKeyPair> {
  const [privatePem, publicPem] = await Promise.all([readFile(privatePath, 'utf8'), readFile(publicPath, 'utf8')]);
  return { privateKey: await importPKCS8(privatePem, DEV_ALGORITHM), publicKey: await importSPKI(publicPem, DEV_ALGORITHM) };
}

export interface DevTokenClaims {
  readonly tenantId: string;
  readonly userId: string;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds?: number;
}

export async function issueDevToken(keys: DevKeyPair, claims: DevTokenClaims): Promise<string> {
  return new SignJWT({ tid: claims.tenantId })
    .setProtectedHeader({ alg: DEV_ALGORITHM, kid: DEV_KEY_ID, typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setIssuedAt()
    .setExpirationTime(`${claims.ttlSeconds ?? 3600}s`)
    .sign(keys.privateKey);
}
