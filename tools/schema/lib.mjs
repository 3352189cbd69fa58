// The schema lifecycle rule, as a function of two SDL texts and a date, so that the tests
// can call it with fixtures and a fixed "today".
//
// Rule: every change between the released schema and the current one is classified by
// @graphql-inspector/core (breaking, dangerous, safe). Dangerous and safe changes pass. A
// breaking change passes only if it removes something that the released schema deprecated
// with a removal date that has passed:
//
//   @deprecated(reason: "Use `newField` instead. Removal after 2027-03-31.")
//
// The marker is exactly `Removal after YYYY-MM-DD.` (an ISO 8601 calendar date, read as a
// UTC day), anywhere in the reason; the removal is allowed from the day after that date.
// What can carry @deprecated: fields, arguments, input fields and enum values. A type cannot
// (GraphQL has no such location): its removal passes when every place of the released schema
// that names it (a field's type, an argument's or input field's type, a union's members, an
// interface's implementations) is itself removed with a passed date, or belongs to a type whose
// removal passes. Every other breaking change fails. Every @deprecated of the current schema
// must carry the marker, so that the date is set when the deprecation is released.

import { diff, CriticalityLevel, ChangeType } from '@graphql-inspector/core';
import {
  buildSchema,
  getNamedType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
} from 'graphql';

export const REMOVAL_MARKER = /Removal after (\d{4})-(\d{2})-(\d{2})\./;

/** The removal date in a deprecation reason, as `YYYY-MM-DD`, or null when there is none. */
export function removalDate(reason) {
  if (reason == null) return null;
  const match = REMOVAL_MARKER.exec(reason);
  if (!match) return null;
  const [, year, month, day] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  // Refuse dates that do not exist, such as 2027-02-30.
  if (
    date.getUTCFullYear() !== Number(year) ||
    date.getUTCMonth() !== Number(month) - 1 ||
    date.getUTCDate() !== Number(day)
  ) {
    return null;
  }
  return `${year}-${month}-${day}`;
}

/** Today as `YYYY-MM-DD`, in UTC. */
export function today() {
  return new Date().toISOString().slice(0, 10);
}

function userTypes(schema) {
  return Object.values(schema.getTypeMap()).filter((type) => !type.name.startsWith('__'));
}

/** Every deprecatable element of a schema, as [path, deprecationReason]. */
function deprecations(schema) {
  const found = [];
  for (const type of userTypes(schema)) {
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (field.deprecationReason != null) found.push([`${type.name}.${field.name}`, field.deprecationReason]);
        for (const arg of field.args) {
          if (arg.deprecationReason != null) {
            found.push([`${type.name}.${field.name}(${arg.name})`, arg.deprecationReason]);
          }
        }
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (field.deprecationReason != null) found.push([`${type.name}.${field.name}`, field.deprecationReason]);
      }
    } else if (type.getValues) {
      for (const value of type.getValues()) {
        if (value.deprecationReason != null) found.push([`${type.name}.${value.name}`, value.deprecationReason]);
      }
    }
  }
  return found;
}

/**
 * Whether a removed element may go: `{ ok: true, why }` or `{ ok: false, why }`.
 * `reason` is its deprecation reason in the released schema (null if it was not deprecated).
 */
function judgeDeprecated(what, reason, on) {
  if (reason == null) return { ok: false, why: `${what} was not @deprecated in the released schema` };
  const date = removalDate(reason);
  if (date == null) {
    return {
      ok: false,
      why: `${what} was @deprecated without a removal date ("Removal after YYYY-MM-DD.") in the released schema`,
    };
  }
  if (on > date) return { ok: true, why: `deprecated, removal after ${date}, today is ${on}` };
  return { ok: false, why: `${what} is deprecated for removal after ${date}, and today is ${on}` };
}

/**
 * Compares two schemas (SDL text) on the day `on` (`YYYY-MM-DD`).
 * Returns { ok, refused, allowed, dangerous, safe, malformed }: lists of
 * { message, path, why? } except `malformed`, a list of strings.
 */
export async function checkSchemas(releasedSdl, currentSdl, on = today()) {
  const released = buildSchema(releasedSdl);
  const current = buildSchema(currentSdl);
  const changes = await diff(released, current);

  const removedTypes = new Set(
    changes.filter((change) => change.type === ChangeType.TypeRemoved).map((change) => change.meta.removedTypeName),
  );
  const typeVerdicts = new Map();

  const elementVerdict = (change) => {
    const meta = change.meta;
    switch (change.type) {
      case ChangeType.FieldRemoved: {
        const field = released.getType(meta.typeName).getFields()[meta.removedFieldName];
        return judgeDeprecated(`field ${change.path}`, field.deprecationReason, on);
      }
      case ChangeType.InputFieldRemoved: {
        const field = released.getType(meta.inputName).getFields()[meta.removedFieldName];
        return judgeDeprecated(`input field ${change.path}`, field.deprecationReason, on);
      }
      case ChangeType.FieldArgumentRemoved: {
        const field = released.getType(meta.typeName).getFields()[meta.fieldName];
        const arg = field.args.find((candidate) => candidate.name === meta.removedFieldArgumentName);
        return judgeDeprecated(`argument ${change.path}`, arg.deprecationReason, on);
      }
      case ChangeType.EnumValueRemoved: {
        const value = released.getType(meta.enumName).getValue(meta.removedEnumValueName);
        return judgeDeprecated(`enum value ${change.path}`, value.deprecationReason, on);
      }
      case ChangeType.TypeRemoved:
        return typeVerdict(meta.removedTypeName);
      default:
        return { ok: false, why: 'a breaking change other than the removal of something deprecated' };
    }
  };

  // A removed type may go when every reference to it in the released schema goes too, with a
  // passed date. Types that refer to each other are judged together: while a type is being
  // judged, a reference from it counts as going (the greatest fixed point), so a connection,
  // its edge and its node type can leave together behind one deprecated field.
  const typeGoes = (name) => removedTypes.has(name) && typeVerdict(name).ok;
  function typeVerdict(name) {
    if (typeVerdicts.has(name)) return typeVerdicts.get(name);
    typeVerdicts.set(name, { ok: true, why: 'being judged' });
    const blockers = [];
    const dueNotes = [];
    let references = 0;
    const reference = (path, goes) => {
      references += 1;
      if (!goes.ok) blockers.push(`${path} (${goes.why})`);
      else dueNotes.push(path);
    };
    for (const type of userTypes(released)) {
      if (type.name === name) continue;
      if (isObjectType(type) || isInterfaceType(type)) {
        const owner = typeGoes(type.name);
        for (const field of Object.values(type.getFields())) {
          const fieldGoes = owner ? { ok: true } : judgeDeprecated(`field ${type.name}.${field.name}`, field.deprecationReason, on);
          if (getNamedType(field.type).name === name) reference(`${type.name}.${field.name}`, fieldGoes);
          for (const arg of field.args) {
            if (getNamedType(arg.type).name !== name) continue;
            const argGoes = fieldGoes.ok
              ? fieldGoes
              : judgeDeprecated(`argument ${type.name}.${field.name}.${arg.name}`, arg.deprecationReason, on);
            reference(`${type.name}.${field.name}.${arg.name}`, argGoes);
          }
        }
        if (isObjectType(type) && type.getInterfaces().some((iface) => iface.name === name)) {
          reference(`${type.name} implements ${name}`, owner ? { ok: true } : { ok: false, why: `${type.name} stays` });
        }
      } else if (isInputObjectType(type)) {
        const owner = typeGoes(type.name);
        for (const field of Object.values(type.getFields())) {
          if (getNamedType(field.type).name !== name) continue;
          reference(
            `${type.name}.${field.name}`,
            owner ? { ok: true } : judgeDeprecated(`input field ${type.name}.${field.name}`, field.deprecationReason, on),
          );
        }
      } else if (isUnionType(type) && type.getTypes().some((member) => member.name === name)) {
        reference(`union ${type.name}`, typeGoes(type.name) ? { ok: true } : { ok: false, why: `union ${type.name} keeps it` });
      }
    }
    let verdict;
    if (references === 0) {
      verdict = {
        ok: false,
        why: `type ${name} had no field, argument or input field that could be deprecated before its removal`,
      };
    } else if (blockers.length > 0) {
      verdict = { ok: false, why: `type ${name} is still reachable in the released schema through ${blockers.join('; ')}` };
    } else {
      verdict = { ok: true, why: `only reachable through removed deprecated elements: ${dueNotes.join(', ')}` };
    }
    typeVerdicts.set(name, verdict);
    return verdict;
  }

  const result = { refused: [], allowed: [], dangerous: [], safe: [], malformed: [] };
  for (const change of changes) {
    const entry = { message: change.message, path: change.path };
    switch (change.criticality.level) {
      case CriticalityLevel.Breaking: {
        const verdict = elementVerdict(change);
        (verdict.ok ? result.allowed : result.refused).push({ ...entry, why: verdict.why });
        break;
      }
      case CriticalityLevel.Dangerous:
        result.dangerous.push(entry);
        break;
      default:
        result.safe.push(entry);
    }
  }
  for (const [path, reason] of deprecations(current)) {
    if (removalDate(reason) == null) {
      result.malformed.push(`${path}: @deprecated reason "${reason}" lacks "Removal after YYYY-MM-DD."`);
    }
  }
  result.ok = result.refused.length === 0 && result.malformed.length === 0;
  return result;
}
