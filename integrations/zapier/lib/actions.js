'use strict';

// Actions and searches (docs/no-code.md#actions-and-searches). Creating or updating an entity is a
// command to the product through the product bridge: the action waits up to WAIT_SECONDS for the
// product's answering event and returns it, or returns the command as pending (its id to follow up).

const { apiUrl } = require('./api');

const WAIT_SECONDS = 10;

const entityFields = [
  { key: 'entity_type', label: 'Entity Type', required: true, helpText: 'The kind of record, e.g. project or task.' },
];
const attributesField = { key: 'attributes', label: 'Attributes', dict: true, required: true, helpText: 'The fields to set on the record.' };

const sendCommand = async (z, bundle, command, target) => {
  const sent = await z.request({
    method: 'POST',
    url: apiUrl(bundle, '/api/v1/product-commands'),
    body: { command, target, data: { attributes: bundle.inputData.attributes } },
  });
  const result = await z.request({
    url: apiUrl(bundle, `/api/v1/product-commands/${sent.data.id}/result`),
    params: { wait: WAIT_SECONDS },
  });
  const answer = result.data.event;
  return answer
    ? { command_id: sent.data.id, status: 'answered', event_id: answer.id, event_type: answer.event_type, ...answer.data }
    : { command_id: sent.data.id, status: 'pending' };
};

const commandSample = { command_id: '0193f2c4-7a1e-7c3d-9b2a-4e5f6a7b8c9d', status: 'answered', event_id: '6f1c2b0e-4a43-5d6a-9a51-0c1d2e3f4a5b',
  event_type: 'entity.created', entity_id: 'ent_8f2c1a', entity_type: 'project', attributes: { name: 'Website relaunch' } };

const creates = {
  create_entity: {
    key: 'create_entity',
    noun: 'Entity',
    display: { label: 'Create Entity', description: 'Asks the product to create a record, and returns it once the product has.' },
    operation: {
      inputFields: [...entityFields, attributesField],
      perform: (z, bundle) => sendCommand(z, bundle, 'entity.create', { type: bundle.inputData.entity_type }),
      sample: commandSample,
    },
  },
  update_entity: {
    key: 'update_entity',
    noun: 'Entity',
    display: { label: 'Update Entity', description: 'Asks the product to change a record, and returns the change once the product made it.' },
    operation: {
      inputFields: [...entityFields, { key: 'entity_id', label: 'Entity ID', required: true }, attributesField],
      perform: (z, bundle) => sendCommand(z, bundle, 'entity.update', { type: bundle.inputData.entity_type, id: bundle.inputData.entity_id }),
      sample: { ...commandSample, event_type: 'entity.updated' },
    },
  },
  add_user: {
    key: 'add_user',
    noun: 'User',
    display: { label: 'Add User to Organisation', description: 'Invites a person to the organisation by e-mail.' },
    operation: {
      inputFields: [
        { key: 'email', label: 'E-mail', required: true },
        { key: 'role', label: 'Role', required: true, choices: { member: 'Member', admin: 'Admin' }, default: 'member' },
      ],
      // The invitation token stays out of the Zap's data: the platform's invitation is how the person joins.
      perform: async (z, bundle) => (await z.request({
        method: 'POST',
        url: apiUrl(bundle, '/api/v1/members'),
        body: { email: bundle.inputData.email, role: bundle.inputData.role },
      })).data.member,
      sample: { id: '0193f2c4-7a1e-7c3d-9b2a-4e5f6a7b8c9e', email: 'ana@example.com', role: 'member', status: 'invited' },
    },
  },
};

const searches = {
  find_entity: {
    key: 'find_entity',
    noun: 'Entity',
    display: { label: 'Find Entity', description: "Finds a record in the product's latest state by its type and id, or by attribute values." },
    operation: {
      inputFields: [
        ...entityFields,
        { key: 'entity_id', label: 'Entity ID', required: false, helpText: 'The record to find. Leave empty to find by attributes instead.' },
        { key: 'attributes', label: 'Attributes', dict: true, required: false, helpText: 'Values the record must have, e.g. name = Relaunch (exact, case included). The most recently changed match comes first.' },
      ],
      perform: async (z, bundle) => {
        const { entity_type: type, entity_id: id, attributes } = bundle.inputData;
        if (!id) {
          if (!attributes || Object.keys(attributes).length === 0) throw new z.errors.Error('Give an Entity ID or at least one attribute to find the record by.', 'invalid_input', 400);
          const response = await z.request({
            url: apiUrl(bundle, '/api/v1/entities'),
            params: { entity_type: type, status: 'active', attributes: JSON.stringify(attributes), limit: 10 },
          });
          return response.data.data;
        }
        const response = await z.request({
          url: apiUrl(bundle, `/api/v1/entities/${encodeURIComponent(type)}/${encodeURIComponent(id)}`),
          skipThrowForStatus: true,
        });
        if (response.status === 404) return [];
        response.throwForStatus();
        return [response.data];
      },
      sample: { id: '0193f2c4-7a1e-7c3d-9b2a-4e5f6a7b8c9f', entity_type: 'project', entity_id: 'ent_8f2c1a', status: 'active', attributes: { name: 'Website relaunch' } },
    },
  },
  find_user: {
    key: 'find_user',
    noun: 'User',
    display: { label: 'Find User', description: 'Finds a member of the organisation by e-mail address.' },
    operation: {
      inputFields: [{ key: 'email', label: 'E-mail', required: true }],
      perform: async (z, bundle) => (await z.request({ url: apiUrl(bundle, '/api/v1/members'), params: { email: bundle.inputData.email } })).data.data,
      sample: { id: '0193f2c4-7a1e-7c3d-9b2a-4e5f6a7b8c9e', email: 'ana@example.com', role: 'member', status: 'active' },
    },
  },
};

module.exports = { creates, searches, WAIT_SECONDS };
