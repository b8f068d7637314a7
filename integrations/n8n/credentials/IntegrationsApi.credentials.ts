import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { platformUrlProperty } from './platformUrl';

// A tenant API key (docs/no-code.md#signing-in). The platform is self-hosted, so the credential
// names its base URL too; the test lists one hook, which any valid tenant key may do.
export class IntegrationsApi implements ICredentialType {
	name = 'integrationsApi';

	displayName = 'Integrations API';

	icon: Icon = { light: 'file:../icons/integrations.svg', dark: 'file:../icons/integrations.dark.svg' };

	documentationUrl = 'https://github.com/integrations/integrations/blob/main/docs/no-code.md#the-n8n-node';

	properties: INodeProperties[] = [
		platformUrlProperty,
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'A tenant API key (POST /api/v1/tenants/{ID}/api-keys)',
			required: true,
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/api/v1/hooks',
			qs: { limit: 1 },
			method: 'GET',
		},
	};
}
