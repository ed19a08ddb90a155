/**
 * Each preset's real error envelope per failure class (providers.md §1c). `errorResponse` gives the
 * HTTP status actually sent (MiniMax answers HTTP 200 with `base_resp`) and the JSON body.
 */
import type { ErrorClass } from './types.js';

type Fields = Record<ErrorClass, Record<string, unknown>>;

const openaiStyle: Fields = {
  rate_limit: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' },
  insufficient_balance: {
    message: 'You exceeded your current quota, please check your plan and billing details.',
    type: 'insufficient_quota', param: null, code: 'insufficient_quota',
  },
  content_rejected: { message: 'Your request was rejected as a result of our safety system.', type: 'invalid_request_error', param: null, code: 'content_policy_violation' },
  auth: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
  bad_request: { message: 'Invalid request.', type: 'invalid_request_error', param: null, code: null },
  server_error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null },
  overloaded: { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', param: null, code: 'server_overloaded' },
};

const ERRORS: Record<string, Fields> = {
  openai: openaiStyle,
  'openai-compatible': openaiStyle,
  deepseek: {
    rate_limit: { message: 'Rate Limit Reached', type: 'rate_limit_error', param: null, code: 'rate_limit_reached' },
    insufficient_balance: { message: 'Insufficient Balance', type: 'unknown_error', param: null, code: 'invalid_request_error' },
    content_rejected: { message: 'Content Exists Risk', type: 'invalid_request_error', param: null, code: 'invalid_request_error' },
    auth: { message: 'Authentication Fails, Your api key is invalid', type: 'authentication_error', param: null, code: 'invalid_request_error' },
    bad_request: { message: 'Invalid Format', type: 'invalid_request_error', param: null, code: 'invalid_request_error' },
    server_error: { message: 'Server Error', type: 'server_error', param: null, code: 'server_error' },
    overloaded: { message: 'Server Overloaded', type: 'server_error', param: null, code: 'server_overloaded' },
  },
  qwen: {
    rate_limit: { message: 'Requests rate limit exceeded, please try again later.', type: 'Throttling.RateQuota', param: null, code: 'Throttling.RateQuota' },
    insufficient_balance: { message: 'Access denied, please make sure your account is in good standing.', type: 'Arrearage', param: null, code: 'Arrearage' },
    content_rejected: { message: 'Input data may contain inappropriate content.', type: 'data_inspection_failed', param: null, code: 'data_inspection_failed' },
    auth: { message: 'Incorrect API key provided. ', type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
    bad_request: { message: '<400> InternalError.Algo.InvalidParameter: Invalid parameter', type: 'invalid_request_error', param: null, code: 'invalid_parameter_error' },
    server_error: { message: 'An internal error has occured, please try again later.', type: 'internal_error', param: null, code: 'internal_error' },
    overloaded: { message: 'Too many requests in route. Please try again later.', type: 'ServiceUnavailable', param: null, code: 'ServiceUnavailable' },
  },
  doubao: {
    rate_limit: { code: 'RateLimitExceeded.EndpointRPMExceeded', message: 'The request rate has exceeded the RPM limit of the endpoint.', param: '', type: 'TooManyRequests' },
    insufficient_balance: { code: 'AccountOverdueError', message: 'The request failed because your account has an overdue balance.', param: '', type: 'Forbidden' },
    content_rejected: { code: 'InputTextRiskDetection', message: 'The request failed because the input text may contain sensitive information.', param: '', type: 'BadRequest' },
    auth: { code: 'AuthenticationError', message: 'The API key in the request is missing or invalid.', param: '', type: 'Unauthorized' },
    bad_request: { code: 'InvalidParameter', message: 'A parameter specified in the request is not valid.', param: '', type: 'BadRequest' },
    server_error: { code: 'InternalServiceError', message: 'The service encountered an unexpected internal error.', param: '', type: 'InternalServerError' },
    overloaded: { code: 'ServerOverloaded', message: 'The service is currently unable to handle additional requests due to server overload.', param: '', type: 'TooManyRequests' },
  },
  qianfan: {
    rate_limit: { code: '336501', message: 'Rate limit reached for RPM', type: 'rpm_rate_limit_exceeded' },
    insufficient_balance: { code: '336104', message: 'The account is in arrears, please recharge', type: 'account_arrears' },
    content_rejected: { code: '336003', message: 'Input content is not safe', type: 'invalid_request_error' },
    auth: { code: '401', message: 'IAM Certification failed', type: 'invalid_iam_token' },
    bad_request: { code: '336100', message: 'Invalid argument', type: 'invalid_argument' },
    server_error: { code: '336000', message: 'Internal error', type: 'internal_error' },
    overloaded: { code: '18', message: 'Open api qps request limit reached', type: 'qps_limit_reached' },
  },
  kimi: {
    rate_limit: { message: 'Your account org-sim request reached max RPM: 3, please try again after 1 seconds', type: 'rate_limit_reached_error' },
    insufficient_balance: { message: 'Your account is suspended, please check your plan and billing details', type: 'exceeded_current_quota_error' },
    content_rejected: { message: 'The request was rejected because it was considered high risk', type: 'content_filter' },
    auth: { message: 'Invalid Authentication', type: 'invalid_authentication_error' },
    bad_request: { message: 'Invalid request', type: 'invalid_request_error' },
    server_error: { message: 'Internal server error', type: 'server_error' },
    overloaded: { message: 'The engine is currently overloaded, please try again later', type: 'engine_overloaded_error' },
  },
  glm: {
    rate_limit: { code: '1302', message: '您当前使用该API的并发数过高，请降低并发，或联系客服增加限额。' },
    insufficient_balance: { code: '1113', message: '您的账户已欠费，请充值后重试。' },
    content_rejected: { code: '1301', message: '系统检测到输入或生成内容可能包含不安全或敏感内容，请您避免输入易产生敏感内容的提示语，感谢您的配合。' },
    auth: { code: '1000', message: '身份验证失败。' },
    bad_request: { code: '1210', message: 'API 调用参数有误，请检查文档。' },
    server_error: { code: '500', message: '内部错误。' },
    overloaded: { code: '1305', message: '当前API请求过多，请稍后重试。' },
  },
  hunyuan: {
    rate_limit: { message: '请求限频超过上限', type: 'rate_limit_error', code: 'LimitExceeded' },
    insufficient_balance: { message: '资源包余量已用尽', type: 'resource_error', code: 'ResourceInsufficient.ChargeResourceExhaust' },
    content_rejected: { message: '输入内容包含敏感信息', type: 'invalid_request_error', code: 'OperationDenied.Sensitive' },
    auth: { message: 'Invalid API key', type: 'authentication_error', code: 'AuthFailure.SignatureFailure' },
    bad_request: { message: '参数错误', type: 'invalid_request_error', code: 'InvalidParameter' },
    server_error: { message: '内部错误', type: 'server_error', code: 'InternalError' },
    overloaded: { message: '服务繁忙，请稍后重试', type: 'server_error', code: 'LimitExceeded.ServerBusy' },
  },
  stepfun: {
    rate_limit: { message: 'Request was rejected due to rate limiting.', type: 'request_rate_limit_exceeded' },
    insufficient_balance: { message: 'Insufficient account balance.', type: 'insufficient_balance' },
    content_rejected: { message: 'Content was blocked by the safety review.', type: 'content_filter' },
    auth: { message: 'Incorrect API key provided.', type: 'invalid_api_key' },
    bad_request: { message: 'Invalid request.', type: 'invalid_request_error' },
    server_error: { message: 'Internal server error.', type: 'server_error' },
    overloaded: { message: 'Service overloaded, please retry later.', type: 'server_overloaded' },
  },
  spark: {
    rate_limit: { code: '11202', message: '授权错误：秒级流控超限。秒级并发超过授权路数限制' },
    insufficient_balance: { code: '11200', message: '授权错误：该appId没有相关功能的授权 或者 业务量超过限制' },
    content_rejected: { code: '10013', message: '输入内容审核不通过，涉嫌违规，请重新调整输入内容' },
    auth: { code: '401', message: 'HMAC signature cannot be verified: APIPassword is invalid' },
    bad_request: { code: '10163', message: '请求参数校验失败' },
    server_error: { code: '10012', message: 'EngineInternalError' },
    overloaded: { code: '11203', message: '授权错误：并发流控超限' },
  },
  gemini: {
    rate_limit: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' },
    insufficient_balance: { code: 429, message: 'You exceeded your current quota, please check your plan and billing details.', status: 'RESOURCE_EXHAUSTED' },
    content_rejected: { code: 400, message: 'The request was blocked by safety settings.', status: 'INVALID_ARGUMENT' },
    auth: { code: 401, message: 'API key not valid. Please pass a valid API key. (API_KEY_INVALID)', status: 'UNAUTHENTICATED' },
    bad_request: { code: 400, message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' },
    server_error: { code: 500, message: 'An internal error has occurred.', status: 'INTERNAL' },
    overloaded: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' },
  },
};

const MINIMAX: Record<ErrorClass, [number, string]> = {
  rate_limit: [1002, 'rate limit exceeded(RPM)'],
  insufficient_balance: [1008, 'insufficient balance'],
  content_rejected: [1026, 'input new_sensitive'],
  auth: [1004, 'login fail: Please carry the API secret key in the Authorization field'],
  bad_request: [2013, 'invalid params'],
  server_error: [1000, 'unknown error'],
  overloaded: [1002, 'rate limit exceeded(server overloaded)'],
};

const ANTHROPIC: Record<ErrorClass, [string, string]> = {
  rate_limit: ['rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'],
  insufficient_balance: ['invalid_request_error', 'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.'],
  content_rejected: ['invalid_request_error', 'Output blocked by content filtering policy'],
  auth: ['authentication_error', 'invalid x-api-key'],
  bad_request: ['invalid_request_error', 'messages: field required'],
  server_error: ['api_error', 'Internal server error'],
  overloaded: ['overloaded_error', 'Overloaded'],
};

let requestCounter = 0;
const requestId = (): string => `sim-${Date.now().toString(16)}-${(requestCounter += 1)}`;

/** MiniMax's HTTP-200 failure body. */
export function minimaxFailure(model: string, statusCode: number, statusMsg: string): Record<string, unknown> {
  return {
    id: '', choices: null, created: Math.floor(Date.now() / 1000), model, object: 'chat.completion',
    usage: { total_tokens: 0 }, input_sensitive: false, output_sensitive: false,
    base_resp: { status_code: statusCode, status_msg: statusMsg },
  };
}

/** The error object as it appears in the body (also used for mid-stream error events). */
export function errorBody(preset: string, errorClass: ErrorClass, model = 'unknown'): Record<string, unknown> {
  if (preset === 'minimax') {
    const [code, message] = MINIMAX[errorClass];
    return minimaxFailure(model, code, message);
  }
  if (preset === 'anthropic') {
    const [type, message] = ANTHROPIC[errorClass];
    return { type: 'error', error: { type, message }, request_id: `req_${requestId()}` };
  }
  const fields = (ERRORS[preset] ?? openaiStyle)[errorClass];
  const body: Record<string, unknown> = { error: { ...fields } };
  if (preset === 'qwen') body.request_id = requestId();
  return body;
}

/** Status actually sent and the body, for a scripted or simulator-generated failure. */
export function errorResponse(preset: string, errorClass: ErrorClass, status: number, model?: string): { status: number; body: Record<string, unknown> } {
  return { status: preset === 'minimax' ? 200 : status, body: errorBody(preset, errorClass, model) };
}

/** The body of a mid-stream moderation error event (the output-side variant of content_rejected). */
export function outputModerationBody(preset: string, model: string): Record<string, unknown> {
  if (preset === 'minimax') return minimaxFailure(model, 1027, 'output new_sensitive');
  const body = errorBody(preset, 'content_rejected', model);
  const error = body.error as Record<string, unknown>;
  if (preset === 'qwen') error.message = 'Output data may contain inappropriate content.';
  if (preset === 'doubao') Object.assign(error, { code: 'OutputTextRiskDetection', message: 'The request failed because the output text may contain sensitive information.' });
  if (preset === 'spark') Object.assign(error, { code: '10014', message: '输出内容审核不通过，涉嫌违规' });
  return body;
}
