/**
 * Snapshot serializer that replaces CDK asset hashes (64 hex characters) with a
 * placeholder, so a change in the API, web or Lambda code does not churn every
 * stage snapshot. Structure changes still show up.
 */
const HASH = /[0-9a-f]{64}/;
const HASHES = /[0-9a-f]{64}/g;
module.exports = {
  test: (value) => typeof value === 'string' && HASH.test(value),
  serialize: (value, config, indentation, depth, refs, printer) =>
    printer(value.replace(HASHES, '[ASSET-HASH]'), config, indentation, depth, refs),
};
