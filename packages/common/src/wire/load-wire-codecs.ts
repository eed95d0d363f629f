/**
 * The wire codecs (@mesosgot/common/protobuf), loaded the first time a driver meets protobuf: a
 * scheduler or executor speaking JSON never needs the schemas, and they are the largest thing
 * it would load. Later calls get the same module.
 */
export function loadWireCodecs(): Promise<typeof import('../protobuf.js')> {
  return import('../protobuf.js');
}
