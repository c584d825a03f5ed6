import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server received: the operation (X-Amz-Target without "AmazonSQS.") and its JSON input. */
export interface SqsRequest {
  readonly operation: string;
  readonly input: Record<string, any>;
}

interface StoredMessage {
  readonly id: string;
  readonly body: string;
  receiveCount: number;
  visibleAt: number;
  receipt?: string;
}

interface Queue {
  readonly messages: StoredMessage[];
  readonly deadLetters: StoredMessage[];
  readonly maxReceiveCount?: number;
}

export interface LocalSqs {
  /** Endpoint for the SDK client (`endpoint`), e.g. http://127.0.0.1:41234 */
  readonly endpoint: string;
  /** URL of the one queue, under the endpoint. */
  readonly queueUrl: string;
  /** Every request, in order. */
  readonly requests: SqsRequest[];
  /** Bodies of the messages in the queue (visible or not). */
  bodies(): string[];
  /** Bodies moved to the dead-letter queue by the redrive policy. */
  deadLetterBodies(): string[];
  stop(): Promise<void>;
}

export interface LocalSqsOptions {
  readonly maxReceiveCount?: number;
  /** The local address to listen on. @default '127.0.0.1' */
  readonly listen?: string;
  /** The queue's URL, as a template names it (the SDK sends it in each request). @default `<endpoint>/000000000000/work` */
  readonly queueUrl?: string;
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/**
 * A small local server speaking the SQS JSON protocol (AWS JSON 1.0,
 * `X-Amz-Target: AmazonSQS.<Operation>`) for ONE queue with a redrive
 * policy, so SqsJobQueue's request mapping runs through the real AWS SDK
 * client and a real HTTP exchange. It implements what the queue uses, with
 * SQS's documented semantics: SendMessage(Batch), ReceiveMessage (long poll,
 * per-receive VisibilityTimeout, ApproximateReceiveCount, and the move to the
 * dead-letter queue of a message already received maxReceiveCount times),
 * DeleteMessage and ChangeMessageVisibility by receipt handle. It is a test
 * double of the wire protocol, not SQS: nothing here is "tested against SQS".
 */
export async function startLocalSqs(options: LocalSqsOptions = {}): Promise<LocalSqs> {
  const queue: Queue = { messages: [], deadLetters: [], maxReceiveCount: options.maxReceiveCount };
  const requests: SqsRequest[] = [];
  let queueUrl = '';

  function store(body: string): { MessageId: string; MD5OfMessageBody: string } {
    const message: StoredMessage = { id: randomUUID(), body, receiveCount: 0, visibleAt: 0 };
    queue.messages.push(message);
    return { MessageId: message.id, MD5OfMessageBody: md5(body) };
  }

  function receiveNow(max: number, visibilitySeconds: number) {
    const now = Date.now();
    const out = [];
    for (const message of [...queue.messages]) {
      if (out.length >= max) break;
      if (message.visibleAt > now) continue;
      if (queue.maxReceiveCount !== undefined && message.receiveCount >= queue.maxReceiveCount) {
        // The redrive policy: received maxReceiveCount times and back again → dead-letter queue.
        queue.messages.splice(queue.messages.indexOf(message), 1);
        queue.deadLetters.push(message);
        continue;
      }
      message.receiveCount += 1;
      message.receipt = randomUUID();
      message.visibleAt = now + visibilitySeconds * 1000;
      out.push({
        MessageId: message.id,
        ReceiptHandle: message.receipt,
        MD5OfBody: md5(message.body),
        Body: message.body,
        Attributes: { ApproximateReceiveCount: String(message.receiveCount) },
      });
    }
    return out;
  }

  function byReceipt(input: Record<string, any>): StoredMessage {
    const message = queue.messages.find((m) => m.receipt !== undefined && m.receipt === input.ReceiptHandle);
    if (!message) throw Object.assign(new Error('The input receipt handle is invalid.'), { type: 'ReceiptHandleIsInvalid' });
    return message;
  }

  async function handle(operation: string, input: Record<string, any>): Promise<unknown> {
    if (input.QueueUrl !== queueUrl) throw Object.assign(new Error('The specified queue does not exist.'), { type: 'QueueDoesNotExist' });
    switch (operation) {
      case 'SendMessage':
        return store(input.MessageBody);
      case 'SendMessageBatch':
        return { Successful: input.Entries.map((entry: { Id: string; MessageBody: string }) => ({ Id: entry.Id, ...store(entry.MessageBody) })), Failed: [] };
      case 'ReceiveMessage': {
        const max = input.MaxNumberOfMessages ?? 1;
        const visibility = input.VisibilityTimeout ?? 30;
        const deadline = Date.now() + (input.WaitTimeSeconds ?? 0) * 1000;
        for (;;) {
          const messages = receiveNow(max, visibility);
          if (messages.length > 0 || Date.now() >= deadline) return messages.length ? { Messages: messages } : {};
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      case 'DeleteMessage':
        queue.messages.splice(queue.messages.indexOf(byReceipt(input)), 1);
        return {};
      case 'ChangeMessageVisibility':
        byReceipt(input).visibleAt = Date.now() + input.VisibilityTimeout * 1000;
        return {};
      default:
        throw Object.assign(new Error(`operation ${operation} is not implemented here`), { type: 'InvalidAction' });
    }
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, any>;
      requests.push({ operation, input });
      handle(operation, input).then(
        (output) => {
          response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
          response.end(JSON.stringify(output));
        },
        (error: Error & { type?: string }) => {
          response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
          response.end(JSON.stringify({ __type: `com.amazonaws.sqs#${error.type ?? 'InternalError'}`, message: error.message }));
        },
      );
    });
  });
  const listen = options.listen ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, listen, resolve));
  const endpoint = `http://${listen}:${(server.address() as AddressInfo).port}`;
  queueUrl = options.queueUrl ?? `${endpoint}/000000000000/work`;
  return {
    endpoint,
    queueUrl,
    requests,
    bodies: () => queue.messages.map((m) => m.body),
    deadLetterBodies: () => queue.deadLetters.map((m) => m.body),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
