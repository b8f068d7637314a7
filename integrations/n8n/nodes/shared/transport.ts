import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	ILoadOptionsFunctions,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

// Calls to the customer's own Integrations platform: the base URL comes from the credential
// (self-hosted: every customer has their own), the key or token from n8n's authentication.

type Context = IHookFunctions | IExecuteSingleFunctions | ILoadOptionsFunctions | IWebhookFunctions;

export const authenticationProperty = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options' as const,
	options: [
		{ name: 'API Key', value: 'apiKey' },
		{ name: 'OAuth2', value: 'oAuth2' },
	],
	default: 'apiKey',
};

export const credentialsDescription = [
	{ name: 'integrationsApi', required: true, displayOptions: { show: { authentication: ['apiKey'] } } },
	{
		name: 'integrationsOAuth2Api',
		required: true,
		displayOptions: { show: { authentication: ['oAuth2'] } },
	},
];

export const BASE_URL_EXPRESSION = '={{$credentials.baseUrl.replace(/\\/+$/, "")}}';

export function credentialType(this: Context): string {
	return this.getNodeParameter('authentication', 'apiKey') === 'oAuth2'
		? 'integrationsOAuth2Api'
		: 'integrationsApi';
}

export interface ApiResponse {
	statusCode: number;
	body: IDataObject;
}

/** One request; answers with the status so that callers decide what a 404 means. */
export async function apiRequest(
	this: Context,
	method: IHttpRequestMethods,
	path: string,
	options: { body?: IDataObject; qs?: IDataObject } = {},
): Promise<ApiResponse> {
	const type = credentialType.call(this);
	const credentials = await this.getCredentials(type);
	const baseUrl = String(credentials.baseUrl).replace(/\/+$/, '');
	const response = (await this.helpers.httpRequestWithAuthentication.call(this, type, {
		method,
		url: `${baseUrl}${path}`,
		body: options.body,
		qs: options.qs,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	})) as { statusCode: number; body: IDataObject };
	return { statusCode: response.statusCode, body: response.body ?? {} };
}

/** The platform's error ({"error": {"code", "message"}}) as n8n's API error. */
export function failure(this: Context, response: ApiResponse): NodeApiError {
	const error = (response.body.error ?? {}) as IDataObject;
	return new NodeApiError(this.getNode(), response.body as JsonObject, {
		httpCode: String(response.statusCode),
		message: typeof error.message === 'string' ? error.message : undefined,
		description: typeof error.code === 'string' ? error.code : undefined,
	});
}

export async function expectOk(this: Context, response: Promise<ApiResponse>): Promise<IDataObject> {
	const answer = await response;
	if (answer.statusCode >= 400) throw failure.call(this, answer);
	return answer.body;
}
