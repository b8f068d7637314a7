import type { INodeProperties } from 'n8n-workflow';

// Sending a notification: the catalog type notification.requested, which the organisation routes
// to Slack or Teams channels, the product's in-app notices or webhooks (docs/no-code.md).

const forNotification = { resource: ['notification'] };

/** An optional text field sent in the event's data only when it is filled in. */
const optionalData = (displayName: string, name: string, property: string, description: string): INodeProperties => ({
	displayName,
	name,
	type: 'string',
	default: '',
	description,
	displayOptions: { show: forNotification },
	routing: { send: { type: 'body', property: `data.${property}`, value: '={{$value || undefined}}' } },
});

export const notificationDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: forNotification },
		options: [
			{
				name: 'Send',
				value: 'send',
				action: 'Send a notification',
				description: 'Tell people, wherever the organisation routes notification.requested',
				routing: {
					request: {
						method: 'POST',
						url: '/api/v1/events',
						body: { event_type: 'notification.requested', data: { requested_by: 'n8n' } },
					},
				},
			},
		],
		default: 'send',
	},
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		required: true,
		default: '',
		description: 'One line, at most 150 characters',
		displayOptions: { show: forNotification },
		routing: { send: { type: 'body', property: 'data.title' } },
	},
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		description: 'Plain text, at most 3,000 characters',
		displayOptions: { show: forNotification },
		routing: { send: { type: 'body', property: 'data.message' } },
	},
	optionalData('Link', 'link', 'link', 'Where to read more or act (https)'),
	optionalData('Topic', 'topic', 'topic', "A name the organisation's routes filter on to pick a channel, e.g. sales"),
	optionalData('Recipient User ID', 'recipientUserId', 'recipient_user_id', "For the product's in-app notice: the product user to tell; empty: the organisation"),
];
