import type {
	IDataObject,
	IHookFunctions,
	ILoadOptionsFunctions,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import {
	apiRequest,
	authenticationProperty,
	credentialsDescription,
	expectOk,
	failure,
} from '../shared/transport';
import { signatureProblem } from '../shared/signature';

// Instant triggers through the platform's REST hooks (docs/no-code.md#triggers-rest-hooks): n8n
// subscribes a hook when the workflow is activated and unsubscribes it when it is deactivated. The
// hook's signing secret, returned only when it is created, stays in the node's static data and
// verifies every delivery, so a forged request never starts the workflow.

const STATUS_CHANGED = [{ path: 'data.changed_fields', op: 'contains', value: 'status' }];

/** What each trigger subscribes to: event types and an optional filter. */
function subscription(this: IHookFunctions): { event_types: string[]; filter?: IDataObject[] } {
	switch (this.getNodeParameter('trigger') as string) {
		case 'entityCreated':
			return { event_types: ['entity.created'] };
		case 'entityUpdated':
			return { event_types: ['entity.updated'] };
		case 'entityStatusChanged':
			return { event_types: ['entity.updated'], filter: STATUS_CHANGED };
		case 'userJoined':
			return { event_types: ['user.joined'] };
		default:
			return { event_types: [this.getNodeParameter('eventType') as string] };
	}
}

interface HookState {
	hookId?: string;
	secret?: string;
}

export class IntegrationsTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Integrations Trigger',
		name: 'integrationsTrigger',
		icon: { light: 'file:../../icons/integrations.svg', dark: 'file:../../icons/integrations.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["trigger"]}}',
		description: 'Starts the workflow when the Integrations platform delivers an event',
		defaults: { name: 'Integrations Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: credentialsDescription,
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			authenticationProperty,
			{
				displayName: 'Trigger On',
				name: 'trigger',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Any Event Type', value: 'anyEvent', description: 'Events of a catalog type you choose' },
					{ name: 'Entity Status Changed', value: 'entityStatusChanged', description: "A record's status changed" },
					{ name: 'Entity Updated', value: 'entityUpdated', description: 'A record changed in the product' },
					{ name: 'New Entity', value: 'entityCreated', description: 'A record was created in the product' },
					{ name: 'New User Joined', value: 'userJoined', description: 'A user joined the organisation' },
				],
				default: 'entityCreated',
			},
			{
				displayName: 'Event Type Name or ID',
				name: 'eventType',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getEventTypes' },
				displayOptions: { show: { trigger: ['anyEvent'] } },
				default: '',
				required: true,
				description:
					'The catalog event type to trigger on. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
		],
	};

	methods = {
		loadOptions: {
			async getEventTypes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
				const catalog = await expectOk.call(this, apiRequest.call(this, 'GET', '/api/v1/event-types?limit=100'));
				return ((catalog.data ?? []) as IDataObject[]).map((type) => ({
					name: String(type.name),
					value: String(type.name),
					description: typeof type.description === 'string' ? type.description : undefined,
				}));
			},
		},
	};

	webhookMethods = {
		default: {
			// The hook is ours only if we still hold its id and secret and it still points here.
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const state = this.getWorkflowStaticData('node') as HookState;
				if (!state.hookId || !state.secret) return false;
				const hook = await apiRequest.call(this, 'GET', `/api/v1/hooks/${encodeURIComponent(state.hookId)}`);
				if (hook.statusCode === 404) {
					delete state.hookId;
					delete state.secret;
					return false;
				}
				if (hook.statusCode >= 400) throw failure.call(this, hook);
				return hook.body.target_url === this.getNodeWebhookUrl('default');
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const state = this.getWorkflowStaticData('node') as HookState;
				const hook = await expectOk.call(
					this,
					apiRequest.call(this, 'POST', '/api/v1/hooks', {
						body: { target_url: this.getNodeWebhookUrl('default'), ...subscription.call(this) },
					}),
				);
				state.hookId = String(hook.id);
				state.secret = String(hook.secret);
				return true;
			},
			// A hook whose target answered 410 is already deleted by the platform: 404 is done too.
			async delete(this: IHookFunctions): Promise<boolean> {
				const state = this.getWorkflowStaticData('node') as HookState;
				if (state.hookId) {
					const answer = await apiRequest.call(this, 'DELETE', `/api/v1/hooks/${encodeURIComponent(state.hookId)}`);
					if (answer.statusCode >= 400 && answer.statusCode !== 404) return false;
				}
				delete state.hookId;
				delete state.secret;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const state = this.getWorkflowStaticData('node') as HookState;
		const request = this.getRequestObject();
		const problem = state.secret
			? signatureProblem(state.secret, this.getHeaderData() as Record<string, string>, request.rawBody)
			: 'no hook secret is stored: deactivate and activate the workflow again';
		if (problem) {
			this.getResponseObject().status(401).json({ error: { code: 'invalid_signature', message: problem } });
			return { noWebhookResponse: true };
		}
		return { workflowData: [this.helpers.returnJsonArray(this.getBodyData())] };
	}
}
