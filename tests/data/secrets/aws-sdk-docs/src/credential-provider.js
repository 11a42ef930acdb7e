/* eslint-disable */
// Credential provider (vendored SDK source): paths, endpoints and examples only.
const ENV_KEY = "AWS_ACCESS_KEY_ID";
const ENV_SECRET = "AWS_SECRET_ACCESS_KEY";
const ENV_SESSION = "AWS_SESSION_TOKEN";
const TOKEN_PATH = "/latest/api/token";
const CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/";
const tokenEndpoint = "http://169.254.169.254/latest/api/token";
const secretPath = "/v2/credentials/container/secret2";
const apiKeyHeader = "x-amz-security-token";
const tokenTtlHeader = "x-aws-ec2-metadata-token-ttl-seconds";
const ssoTokenFile = "~/.aws/sso/cache/token2.json";
const passwordPolicyArn = "arn:aws:iam::aws:policy/IAMUserChangePassword2";
export const example = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  sessionToken: "AQoDYXdzEJr...",
};
export function fromEnv(env) {
  const secret = env[ENV_SECRET];
  const token = env[ENV_SESSION];
  return { accessKeyId: env[ENV_KEY], secretAccessKey: secret, sessionToken: token };
}
