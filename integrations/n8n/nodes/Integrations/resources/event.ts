import type { INodeProperties } from 'n8n-workflow';

import { eventBody } from '../hooks';

// Sending an event: stored by the platform and delivered to its webhooks, hooks and Kafka.

const forEvent = { resource: ['event'] };

export const eventDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: forEvent },
		options: [
			{
				name: 'Send',
				value: 'send',
				action: 'Send an event',
				description: 'Publish an event of a catalog type',
				routing: {
					request: { method: 'POST', url: '/api/v1/events' },
					send: { preSend: [eventBody] },
				},
			},
		],
		default: 'send',
	},
	{
		displayName: 'Event Type Name or ID',
		name: 'eventType',
		type: 'options',
		typeOptions: {
			loadOptions: {
				routing: {
					request: { method: 'GET', url: '/api/v1/event-types', qs: { limit: 100 } },
					output: {
						postReceive: [
							{ type: 'rootProperty', properties: { property: 'data' } },
							{
								type: 'setKeyValue',
								properties: { name: '={{$responseItem.name}}', value: '={{$responseItem.name}}' },
							},
							{ type: 'sort', properties: { key: 'name' } },
						],
					},
				},
			},
		},
		required: true,
		default: '',
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		displayOptions: { show: forEvent },
	},
	{
		displayName: 'Data',
		name: 'data',
		type: 'json',
		required: true,
		default: '{}',
		description: "The event's data, as the catalog's schema for the type describes it",
		displayOptions: { show: forEvent },
	},
	{
		displayName: 'Idempotency Key',
		name: 'idempotencyKey',
		type: 'string',
		default: '',
		description: 'Makes a retry safe: the platform accepts one event per key',
		displayOptions: { show: forEvent },
		routing: { request: { headers: { 'Idempotency-Key': '={{$value || undefined}}' } } },
	},
];
