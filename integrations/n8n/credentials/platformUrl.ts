import type { INodeProperties } from 'n8n-workflow';

/** Both credentials name the platform: it is self-hosted, every customer has their own URL. */
export const platformUrlProperty: INodeProperties = {
	displayName: 'Platform URL',
	name: 'baseUrl',
	type: 'string',
	default: '',
	placeholder: 'https://integrations.example.com',
	description: 'Where your Integrations platform runs',
	required: true,
};
