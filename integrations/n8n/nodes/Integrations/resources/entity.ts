import type { INodeProperties } from 'n8n-workflow';

import { awaitCommandResult, notFoundIsEmpty, productCommandBody } from '../hooks';

// Entities: create and update are commands to the product through the product bridge; get and
// search read the platform's entity read model (docs/product-bridge.md).

const forEntity = { resource: ['entity'] };
const forOperations = (...operation: string[]) => ({ show: { ...forEntity, operation } });

export const entityDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: forEntity },
		options: [
			{
				name: 'Create',
				value: 'create',
				action: 'Create an entity',
				description: 'Ask the product to create a record, and return it once the product has',
				routing: {
					request: { method: 'POST', url: '/api/v1/product-commands' },
					send: { preSend: [productCommandBody] },
					output: { postReceive: [awaitCommandResult] },
				},
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get an entity',
				description: "Find a record by its type and ID in the product's latest state",
				routing: {
					request: {
						method: 'GET',
						url: '=/api/v1/entities/{{encodeURIComponent($parameter.entityType)}}/{{encodeURIComponent($parameter.entityId)}}',
						ignoreHttpStatusErrors: true,
					},
					output: { postReceive: [notFoundIsEmpty] },
				},
			},
			{
				name: 'Search',
				value: 'search',
				action: 'Search entities',
				description: 'Find records by type, status and attribute values, most recently changed first',
				routing: {
					request: { method: 'GET', url: '/api/v1/entities' },
					output: { postReceive: [{ type: 'rootProperty', properties: { property: 'data' } }] },
				},
			},
			{
				name: 'Update',
				value: 'update',
				action: 'Update an entity',
				description: 'Ask the product to change a record, and return the change once made',
				routing: {
					request: { method: 'POST', url: '/api/v1/product-commands' },
					send: { preSend: [productCommandBody] },
					output: { postReceive: [awaitCommandResult] },
				},
			},
		],
		default: 'create',
	},
	{
		displayName: 'Entity Type',
		name: 'entityType',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'project',
		description: 'The kind of record, e.g. project or task',
		displayOptions: forOperations('create', 'update', 'get'),
	},
	{
		displayName: 'Entity ID',
		name: 'entityId',
		type: 'string',
		required: true,
		default: '',
		description: "The record's ID in the product",
		displayOptions: forOperations('update', 'get'),
	},
	{
		displayName: 'Attributes',
		name: 'attributes',
		type: 'json',
		required: true,
		default: '{\n  "name": ""\n}',
		description: 'The fields to set on the record',
		displayOptions: forOperations('create', 'update'),
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: forOperations('search'),
		options: [
			{
				displayName: 'Attributes',
				name: 'attributes',
				type: 'json',
				default: '{}',
				description:
					'Attribute values the records must all hold, e.g. {"name": "Relaunch"} (1 to 10 members; name the entity type too)',
				routing: {
					send: {
						type: 'query',
						property: 'attributes',
						value: '={{typeof $value === "string" ? $value : JSON.stringify($value)}}',
					},
				},
			},
			{
				displayName: 'Entity Type',
				name: 'entityType',
				type: 'string',
				default: '',
				routing: { send: { type: 'query', property: 'entity_type' } },
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				options: [
					{ name: 'Active', value: 'active' },
					{ name: 'Deleted', value: 'deleted' },
				],
				default: 'active',
				routing: { send: { type: 'query', property: 'status' } },
			},
			{
				displayName: 'Updated After',
				name: 'updatedAfter',
				type: 'dateTime',
				default: '',
				description: 'Only records changed after this moment',
				routing: { send: { type: 'query', property: 'updated_after' } },
			},
		],
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 100 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: forOperations('search'),
		routing: { send: { type: 'query', property: 'limit' } },
	},
];
