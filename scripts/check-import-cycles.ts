// Fails when two or more source files import each other, directly or round a longer loop.
// Type-only imports count: a cycle that only types close still ties the files together for a
// reader and for any bundler that keeps them. Usage: `node scripts/check-import-cycles.ts [root]`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

/** Folders scanned below the root; tests are left out (a helper may import what it tests). */
export const SOURCE_GLOBS = ['apps/*/src', 'packages/*/src', 'bench', 'scripts'];

/** A workspace package: its name and the files its `exports` map points at. */
interface WorkspacePackage {
  name: string;
  dir: string;
  exports: Map<string, string>;
}

function listTsFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listTsFiles(path, out);
    else if (/\.(ts|mts)$/.test(entry.name) && !/\.(test|d)\.ts$/.test(entry.name)) out.push(path);
  }
  return out;
}

function expandGlob(root: string, glob: string): string[] {
  const [head, star, ...rest] = glob.split('/');
  if (star !== '*') return [join(root, glob)];
  const base = join(root, head ?? '');
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((name) => statSync(join(base, name)).isDirectory())
    .map((name) => join(base, name, ...rest));
}

function readPackages(root: string): WorkspacePackage[] {
  const packages: WorkspacePackage[] = [];
  for (const dir of [...expandGlob(root, 'apps/*'), ...expandGlob(root, 'packages/*')]) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const json = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; exports?: unknown };
    if (!json.name) continue;
    const exports = new Map<string, string>();
    if (typeof json.exports === 'string') exports.set('.', json.exports);
    else if (json.exports && typeof json.exports === 'object') {
      for (const [key, target] of Object.entries(json.exports)) {
        if (typeof target === 'string') exports.set(key, target);
      }
    }
    packages.push({ name: json.name, dir, exports });
  }
  return packages;
}

/** Every module specifier a file names: static imports and re-exports, and literal `import('…')`. */
export function importSpecifiers(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      specifiers.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const literal = node.argument.literal;
      if (ts.isStringLiteral(literal)) specifiers.push(literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}

/** An `exports` subpath pattern such as `"./internal/*": "./src/*.ts"` applied to `subpath`. */
function matchPattern(exports: Map<string, string>, subpath: string): string | undefined {
  for (const [key, target] of exports) {
    const star = key.indexOf('*');
    if (star < 0) continue;
    const head = key.slice(0, star);
    const tail = key.slice(star + 1);
    if (subpath.startsWith(head) && subpath.endsWith(tail) && subpath.length >= key.length - 1) {
      return target.replace('*', subpath.slice(head.length, subpath.length - tail.length));
    }
  }
  return undefined;
}

function resolveSpecifier(from: string, specifier: string, packages: WorkspacePackage[]): string | undefined {
  if (specifier.startsWith('.')) {
    const target = resolve(dirname(from), specifier);
    return /\.(ts|mts)$/.test(target) && existsSync(target) ? target : undefined;
  }
  const owner = packages.find((p) => specifier === p.name || specifier.startsWith(`${p.name}/`));
  if (!owner) return undefined;
  const subpath = `.${specifier.slice(owner.name.length)}`;
  const target = owner.exports.get(subpath) ?? matchPattern(owner.exports, subpath);
  if (!target || !/\.(ts|mts)$/.test(target)) return undefined;
  const path = resolve(owner.dir, target);
  return existsSync(path) ? path : undefined;
}

/** The import graph of the source folders: file → files it imports (absolute paths). */
export function buildGraph(root: string, globs = SOURCE_GLOBS): Map<string, string[]> {
  const packages = readPackages(root);
  const files = globs.flatMap((glob) => expandGlob(root, glob)).flatMap((dir) => listTsFiles(dir));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = importSpecifiers(file, readFileSync(file, 'utf8'))
      .map((specifier) => resolveSpecifier(file, specifier, packages))
      .filter((target): target is string => target !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/**
 * The strongly connected components with more than one file (or a file importing itself),
 * each reported as one closed chain of imports through it and its size (Tarjan's algorithm).
 */
export function findCycles(graph: Map<string, string[]>): { chain: string[]; files: number }[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const connect = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        connect(target);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(target) ?? 0));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(target) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    const selfLoop = (graph.get(node) ?? []).includes(node);
    if (component.length > 1 || selfLoop) components.push(component);
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
  return components.map((component) => ({ chain: chainThrough(graph, component), files: component.length }));
}

/** A shortest closed walk from the component's first file (by name) back to itself. */
function chainThrough(graph: Map<string, string[]>, component: string[]): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0] as string;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() as string;
    for (const target of graph.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const chain = [node];
        for (let at = node; at !== start; ) {
          at = previous.get(at) as string;
          chain.unshift(at);
        }
        return [...chain, start];
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start, start];
}

/** Checks a tree and returns one printable line per cycle (empty when there is none). */
export function checkImportCycles(root: string, globs = SOURCE_GLOBS): string[] {
  return findCycles(buildGraph(root, globs)).map(({ chain, files }) => {
    const line = chain.map((file) => relative(root, file)).join(' -> ');
    // One chain is printed per knot; a larger knot holds more loops than the one shown.
    return files > chain.length - 1 ? `${line} (one loop of a knot of ${files} files)` : line;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = resolve(process.argv[2] ?? join(dirname(new URL(import.meta.url).pathname), '..'));
  const cycles = checkImportCycles(root);
  for (const cycle of cycles) console.error(`import cycle: ${cycle}`);
  if (cycles.length > 0) {
    console.error(`${cycles.length} import cycle(s); move the shared piece into a module both sides import`);
    process.exit(1);
  }
  console.log('no import cycles');
}
