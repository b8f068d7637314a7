import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

import { platformUrlProperty } from './platformUrl';

// OAuth 2.0 sign-in against the platform's own authorization server (docs/oauth.md): authorization
// code with PKCE (S256), so the app may be registered as a public client without a secret. The
// scopes cover what the nodes call; the product bridge (create/update entity) takes the command
// scopes, or an API key on platforms without them.
const SCOPES = [
	'events:write',
	'webhooks:read',
	'webhooks:write',
	'members:read',
	'members:write',
	'entities:read',
	'commands:read',
	'commands:write',
].join(' ');

export class IntegrationsOAuth2Api implements ICredentialType {
	name = 'integrationsOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'Integrations OAuth2 API';

	icon: Icon = { light: 'file:../icons/integrations.svg', dark: 'file:../icons/integrations.dark.svg' };

	documentationUrl = 'https://github.com/integrations/integrations/blob/main/docs/oauth.md';

	properties: INodeProperties[] = [
		platformUrlProperty,
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'pkce',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: '={{$self["baseUrl"].replace(/\\/+$/, "")}}/oauth/authorize',
			required: true,
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: '={{$self["baseUrl"].replace(/\\/+$/, "")}}/oauth/token',
			required: true,
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: SCOPES,
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
	];
}
