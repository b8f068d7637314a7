import type { INodeProperties } from 'n8n-workflow';

// Members of the organisation: adding one is an invitation (its token stays out of the workflow's
// data: the platform's invitation is how the person joins); finding one is by e-mail, ignoring case.

const forUser = { resource: ['user'] };

export const userDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: forUser },
		options: [
			{
				name: 'Add',
				value: 'add',
				action: 'Add a user to the organisation',
				description: 'Invite a person to the organisation by e-mail',
				routing: {
					request: {
						method: 'POST',
						url: '/api/v1/members',
						body: { email: '={{$parameter.email}}', role: '={{$parameter.role}}' },
					},
					output: { postReceive: [{ type: 'rootProperty', properties: { property: 'member' } }] },
				},
			},
			{
				name: 'Find',
				value: 'find',
				action: 'Find a user by e mail',
				description: 'Find a member of the organisation by e-mail address',
				routing: {
					request: { method: 'GET', url: '/api/v1/members', qs: { email: '={{$parameter.email}}' } },
					output: { postReceive: [{ type: 'rootProperty', properties: { property: 'data' } }] },
				},
			},
		],
		default: 'add',
	},
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		required: true,
		default: '',
		displayOptions: { show: forUser },
	},
	{
		displayName: 'Role',
		name: 'role',
		type: 'options',
		options: [
			{ name: 'Member', value: 'member' },
			{ name: 'Admin', value: 'admin' },
		],
		default: 'member',
		displayOptions: { show: { ...forUser, operation: ['add'] } },
	},
];
