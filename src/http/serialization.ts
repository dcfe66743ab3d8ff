import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

const compilers = SerializerSelector();

/**
 * Fastify's response serializers (fast-json-stringify), each compiled on its route's first
 * answer with that status rather than all at start: with every route's error answers
 * described, compiling them up front would make most of the time a start takes.
 */
export function buildSerializer(...factoryArgs: Parameters<typeof compilers>): ReturnType<typeof compilers> {
  const compile = compilers(...factoryArgs);
  return (route) => {
    let serialize: ((data: unknown) => string) | undefined;
    return (data: unknown) => (serialize ??= compile(route))(data);
  };
}
