// TypeDoc plugin: the documentation policy for two kinds of property that TypeDoc's
// `validation.notDocumented` would otherwise flag one by one.
// * Fields of the Mesos wire types (packages/common/src/wire/): they are Mesos' own JSON fields,
//   spelled as Mesos spells them and meaning what Mesos says (docs/protocol.md). Each wire type
//   itself must still carry its own TSDoc; a field that has TSDoc keeps it.
// * Discriminants: a `type` or `kind` property whose type is one string literal, in a member of
//   a discriminated union; the union's TSDoc says what the variants are.
// * Fields of an object type written inline as a function's or method's return type, or as the
//   pattern a conditional type matches: the function's or the type's own TSDoc describes them.
// Every other public symbol needs its own TSDoc, and TypeDoc fails the build without it.
import { ArrayType, Comment, ConditionalType, Converter, LiteralType, ReflectionKind, ReflectionType, TypeOperatorType, UnionType } from 'typedoc';

const WIRE = /[\\/]packages[\\/]common[\\/]src[\\/]wire[\\/]/;

function isDiscriminant(refl) {
  return (refl.name === 'type' || refl.name === 'kind') && refl.type instanceof LiteralType && typeof refl.type.value === 'string';
}

function describeInlineFields(type, owner) {
  if (type instanceof UnionType) {
    for (const member of type.types) describeInlineFields(member, owner);
    return;
  }
  if (type instanceof TypeOperatorType) return describeInlineFields(type.target, owner);
  if (type instanceof ArrayType) return describeInlineFields(type.elementType, owner);
  if (!(type instanceof ReflectionType)) return;
  for (const field of type.declaration.children ?? []) {
    if (!field.hasComment()) field.comment = new Comment([{ kind: 'text', text: `Described with ${owner}.` }]);
  }
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    const project = context.project;
    for (const sig of project.getReflectionsByKind(ReflectionKind.CallSignature)) {
      describeInlineFields(sig.type, `\`${sig.parent?.getFriendlyFullName() ?? sig.name}\``);
    }
    for (const alias of project.getReflectionsByKind(ReflectionKind.TypeAlias)) {
      if (alias.type instanceof ConditionalType) describeInlineFields(alias.type.extendsType, `\`${alias.getFriendlyFullName()}\``);
    }
    for (const refl of context.project.getReflectionsByKind(ReflectionKind.Property)) {
      if (refl.hasComment()) continue;
      const file = refl.sources?.[0]?.fullFileName ?? '';
      if (WIRE.test(file)) {
        refl.comment = new Comment([{ kind: 'text', text: `Mesos' \`${refl.name}\` field, as in Mesos' JSON.` }]);
      } else if (isDiscriminant(refl)) {
        refl.comment = new Comment([{ kind: 'code', text: `\`${JSON.stringify(refl.type.value)}\`` }, { kind: 'text', text: ' selects this variant.' }]);
      }
    }
  });
}
