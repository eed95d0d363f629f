/**
 * A typed protocol between a scheduler function and its tasks: one codec pair per task kind,
 * declared once in a module both the scheduler script and the executor script import. It types
 * both ends (a message to `worker-3` must carry what `worker` tasks accept; what comes in is a
 * union discriminated by `kind`) and encodes/decodes at the channel boundary, so the untyped
 * link underneath carries strings and bytes exactly as before.
 */
import { InvalidArgumentError, MessageDecodeError } from '../errors.js';
import type { ReceiveChannel, SendChannel } from '../channel/channel.js';
import type { TaskMsg } from '../taskmsg/codec.js';
import type { MessageCodec } from './message-codec.js';
import { DecodingReceiveChannel } from './decoding-receive-channel.js';
import { EncodingSendChannel } from './encoding-send-channel.js';

/** The codecs of one task kind. */
export interface KindCodecs<ToTask, FromTask> {
  /** Messages the scheduler function sends to tasks of this kind. */
  readonly toTask: MessageCodec<ToTask>;
  /** Messages tasks of this kind send to the scheduler function. */
  readonly fromTask: MessageCodec<FromTask>;
}

/** Task kind → its codecs. */
export type ProtocolSpec = { readonly [kind: string]: KindCodecs<unknown, unknown> };

/** The task kinds of a protocol. */
export type KindOf<S extends ProtocolSpec> = keyof S & string;
/** A task id of kind K: `<kind>-<index>`. */
export type TaskIdOf<K extends string> = `${K}-${number}`;
/** What tasks of kind K accept. */
export type ToTaskOf<S extends ProtocolSpec, K extends KindOf<S>> = S[K] extends { toTask: MessageCodec<infer T> } ? T : never;
/** What tasks of kind K send. */
export type FromTaskOf<S extends ProtocolSpec, K extends KindOf<S>> = S[K] extends { fromTask: MessageCodec<infer T> } ? T : never;

/** What the typed `schedOut` takes: the destination's kind (from its id) decides the data type. */
export type SchedOutMsg<S extends ProtocolSpec> = {
  [K in KindOf<S>]: {
    /** The destination task's id, `<kind>-<index>`. */
    taskName: TaskIdOf<K>;
    /** The message, typed by the destination's kind. */
    data: ToTaskOf<S, K>;
  };
}[KindOf<S>];

/** What the typed `schedIn` yields: narrow on `kind` to get the data type. */
export type SchedInMsg<S extends ProtocolSpec> = {
  [K in KindOf<S>]: {
    /** The sender's kind; narrowing on it types `data`. */
    kind: K;
    /** The sending task's id. */
    taskName: TaskIdOf<K>;
    /** The decoded message. */
    data: FromTaskOf<S, K>;
  };
}[KindOf<S>];

/** What a typed task of kind K reads from `input`. */
export interface TaskInMsg<S extends ProtocolSpec, K extends KindOf<S>> {
  /** This task's id. */
  taskName: string;
  /** The decoded message from the scheduler. */
  data: ToTaskOf<S, K>;
}

/** What a typed task of kind K writes to `output` (the executor stamps the task id anyway). */
export interface TaskOutMsg<S extends ProtocolSpec, K extends KindOf<S>> {
  /** Ignored: the executor stamps the task's own id. */
  taskName?: string;
  /** The message, encoded with this kind's codec. */
  data: FromTaskOf<S, K>;
}

/** `<name>-<index>` → `<name>`: everything before the last `-` (mesosgot's task id rule). */
function kindOfTaskId(taskId: string): string {
  const dash = taskId.lastIndexOf('-');
  return dash <= 0 ? taskId : taskId.slice(0, dash);
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A declared protocol; build it with `defineProtocol`. */
export class TaskProtocol<S extends ProtocolSpec> {
  constructor(
    /** The codecs per task kind, as given to defineProtocol. */
    readonly kinds: S,
  ) {}

  /** The codecs of the kind of `taskName`, or undefined for a kind the protocol does not declare. */
  codecsFor(taskName: string): { kind: string; codecs: KindCodecs<unknown, unknown> } | undefined {
    const kind = kindOfTaskId(taskName);
    const codecs = Object.hasOwn(this.kinds, kind) ? this.kinds[kind] : undefined;
    return codecs === undefined ? undefined : { kind, codecs };
  }

  /** Encodes a message to a task. Throws InvalidArgumentError for an undeclared kind or data its codec refuses. */
  encodeToTask(msg: SchedOutMsg<S>): TaskMsg {
    const name = (msg as { taskName?: unknown } | null)?.taskName;
    const found = typeof name === 'string' ? this.codecsFor(name) : undefined;
    if (found === undefined) throw new InvalidArgumentError('taskName', name, 'is not a task of a kind this protocol declares');
    try {
      return { taskName: name as string, data: found.codecs.toTask.encode(msg.data) };
    } catch (err) {
      throw new InvalidArgumentError('data', undefined, `for ${String(name)}: the ${found.codecs.toTask.name} codec of kind ${found.kind} cannot encode it (${reasonOf(err)})`);
    }
  }

  /** Decodes a message from a task. Throws MessageDecodeError (naming task, kind, reason). */
  decodeFromTask(msg: TaskMsg): SchedInMsg<S> {
    const found = this.codecsFor(msg.taskName);
    if (found === undefined) throw new MessageDecodeError(msg.taskName, kindOfTaskId(msg.taskName), 'the protocol declares no such kind');
    try {
      return { kind: found.kind, taskName: msg.taskName, data: found.codecs.fromTask.decode(msg.data) } as SchedInMsg<S>;
    } catch (err) {
      throw new MessageDecodeError(msg.taskName, found.kind, `${found.codecs.fromTask.name}: ${reasonOf(err)}`, { cause: err });
    }
  }

  /**
   * Typed views of a scheduler function's untyped `schedIn`/`schedOut` (no copy, no extra
   * queue: each message is encoded or decoded once as it passes). A message from a task that
   * cannot be decoded is passed to `onDecodeError` and skipped; the stream goes on.
   */
  schedulerChannels(
    schedIn: ReceiveChannel<TaskMsg>,
    schedOut: SendChannel<TaskMsg>,
    onDecodeError: (error: MessageDecodeError) => void,
  ): { schedIn: ReceiveChannel<SchedInMsg<S>>; schedOut: SendChannel<SchedOutMsg<S>> } {
    return {
      schedIn: new DecodingReceiveChannel(schedIn, (m) => this.decodeFromTask(m), onDecodeError),
      schedOut: new EncodingSendChannel(schedOut, (m: SchedOutMsg<S>) => this.encodeToTask(m)),
    };
  }

  /**
   * Typed views of the untyped `input`/`output` of a task of kind `kind`. A message that cannot
   * be decoded is passed to `onDecodeError` and skipped; the stream goes on. Throws
   * InvalidArgumentError for a kind the protocol does not declare.
   */
  taskChannels<K extends KindOf<S>>(
    kind: K,
    input: ReceiveChannel<TaskMsg>,
    output: SendChannel<TaskMsg>,
    onDecodeError: (error: MessageDecodeError) => void,
  ): { input: ReceiveChannel<TaskInMsg<S, K>>; output: SendChannel<TaskOutMsg<S, K>> } {
    const codecs = Object.hasOwn(this.kinds, kind) ? this.kinds[kind] : undefined;
    if (codecs === undefined) throw new InvalidArgumentError('kind', kind, 'is not declared by this protocol');
    const decode = (m: TaskMsg): TaskInMsg<S, K> => {
      try {
        return { taskName: m.taskName, data: codecs.toTask.decode(m.data) as ToTaskOf<S, K> };
      } catch (err) {
        throw new MessageDecodeError(m.taskName, kind, `${codecs.toTask.name}: ${reasonOf(err)}`, { cause: err });
      }
    };
    const encode = (m: TaskOutMsg<S, K>): TaskMsg => ({ taskName: m?.taskName ?? '', data: codecs.fromTask.encode(m.data) });
    return {
      input: new DecodingReceiveChannel(input, decode, onDecodeError),
      output: new EncodingSendChannel(output, encode),
    };
  }
}

/**
 * Declares the protocol of an application: for each task kind, the codec of what the scheduler
 * sends to it (`toTask`) and of what it sends back (`fromTask`). Throws InvalidArgumentError for
 * a kind without both codecs.
 */
export function defineProtocol<const S extends ProtocolSpec>(spec: S): TaskProtocol<S> {
  if (spec === null || typeof spec !== 'object') throw new InvalidArgumentError('protocol', spec, 'expected { kind: { toTask, fromTask } }');
  for (const [kind, codecs] of Object.entries(spec)) {
    for (const side of ['toTask', 'fromTask'] as const) {
      const codec = (codecs as Partial<KindCodecs<unknown, unknown>> | null)?.[side];
      if (typeof codec?.encode !== 'function' || typeof codec.decode !== 'function') {
        throw new InvalidArgumentError(`${kind}.${side}`, codec, 'expected a codec ({ name, encode, decode })');
      }
    }
  }
  return new TaskProtocol(spec);
}
