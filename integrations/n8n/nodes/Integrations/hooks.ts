import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { apiRequest, expectOk } from '../shared/transport';

// The routing's custom steps: bodies that need more than one parameter mapped (product commands),
// the wait for the product's answer, and "not found" as no item rather than an error.

/** How long "create/update entity" waits for the product's answering event (0–30 s). */
export const WAIT_SECONDS = 10;

/** A JSON parameter arrives as text from the editor, or as an object from an expression. */
export function jsonParameter(this: IExecuteSingleFunctions, name: string): IDataObject {
	const value = this.getNodeParameter(name, {}) as IDataObject | string;
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value) as IDataObject;
	} catch {
		throw new NodeOperationError(this.getNode(), `${name} is not valid JSON`);
	}
}

/** The body of POST /api/v1/product-commands for entity.create or entity.update. */
export async function productCommandBody(
	this: IExecuteSingleFunctions,
	request: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const operation = this.getNodeParameter('operation') as string;
	const target: IDataObject = { type: this.getNodeParameter('entityType') as string };
	if (operation === 'update') target.id = this.getNodeParameter('entityId') as string;
	request.body = {
		command: operation === 'update' ? 'entity.update' : 'entity.create',
		target,
		data: { attributes: jsonParameter.call(this, 'attributes') },
	};
	return request;
}

/** The body of POST /api/v1/events. */
export async function eventBody(
	this: IExecuteSingleFunctions,
	request: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	request.body = {
		event_type: this.getNodeParameter('eventType') as string,
		data: jsonParameter.call(this, 'data'),
	};
	return request;
}

/**
 * After the command is accepted, waits for the product's answer (docs/product-bridge.md): the
 * answering event's data, or the command as pending with its id to follow up.
 */
export async function awaitCommandResult(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const commandId = String((response.body as IDataObject).id);
	const result = await expectOk.call(
		this,
		apiRequest.call(this, 'GET', `/api/v1/product-commands/${encodeURIComponent(commandId)}/result`, {
			qs: { wait: WAIT_SECONDS },
		}),
	);
	const answer = result.event as IDataObject | null | undefined;
	const json: IDataObject = answer
		? {
				command_id: commandId,
				status: 'answered',
				event_id: answer.id,
				event_type: answer.event_type,
				...(answer.data as IDataObject),
			}
		: { command_id: commandId, status: 'pending' };
	return [{ json }];
}

/** A search that finds nothing returns no item; every other error stays an error. */
export async function notFoundIsEmpty(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	if (response.statusCode === 404) return [];
	if (response.statusCode >= 400) {
		throw new NodeApiError(this.getNode(), response.body as JsonObject, {
			httpCode: String(response.statusCode),
		});
	}
	return items;
}
