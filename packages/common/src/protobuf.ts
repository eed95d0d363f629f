// @mesosgot/common/protobuf: the v1 messages' schemas (@bufbuild/protobuf and the generated
// descriptors, docs/protobuf.md) and what works from them: the wire codecs, Mesos' JSON writer.
// A subpath of its own, imported on demand, so that a scheduler or executor speaking JSON never
// loads the schemas (some 12 MiB of resident memory); the local cluster imports it directly.
export * from './wire/wire-codec.js';
export { writeMesosJson, formatDouble } from './wire/mesos-json-writer.js';
export { encodeProtobuf, decodeProtobuf, messageToWire } from './wire/protobuf-codec.js';
