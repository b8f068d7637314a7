import type { INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { authenticationProperty, BASE_URL_EXPRESSION, credentialsDescription } from '../shared/transport';
import { entityDescription } from './resources/entity';
import { eventDescription } from './resources/event';
import { notificationDescription } from './resources/notification';
import { userDescription } from './resources/user';

// The actions and searches of docs/no-code.md#actions-and-searches, as a declarative node: each
// operation's routing names the platform call, custom steps only where one call is not enough.
export class Integrations implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Integrations',
		name: 'integrations',
		icon: { light: 'file:../../icons/integrations.svg', dark: 'file:../../icons/integrations.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Create and find entities, invite users, send events and notifications on the Integrations platform',
		defaults: { name: 'Integrations' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: credentialsDescription,
		requestDefaults: {
			baseURL: BASE_URL_EXPRESSION,
			headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
		},
		properties: [
			authenticationProperty,
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Entity', value: 'entity' },
					{ name: 'Event', value: 'event' },
					{ name: 'Notification', value: 'notification' },
					{ name: 'User', value: 'user' },
				],
				default: 'entity',
			},
			...entityDescription,
			...eventDescription,
			...notificationDescription,
			...userDescription,
		],
	};
}
