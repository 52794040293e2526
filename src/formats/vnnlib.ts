/**
 * VNN-LIB property files (the SMT-LIB subset of VNN-COMP): input variables `X_i`, output
 * variables `Y_j`, and assertions that together describe the input set and the *unsafe* output
 * set. A counterexample to the property is an input in some input box whose output lies in some
 * output polytope.
 *
 * Supported: `(declare-const X_0 Real)` (and `declare-fun` with no arguments), `(assert F)` where
 * F is built from `and`, `or`, `true`, `false` and linear comparisons `<=`, `>=`, `<`, `>`, `=`
 * (chains like `(<= a b c)` allowed) between linear terms (`+`, `-`, `*` by a constant, `/` by a
 * constant, decimal or scientific numbers such as `1e-3`, `-0.5`, `.5`). Strict comparisons are
 * read as non-strict: the sets are closed (the difference is a boundary of measure zero).
 * `check-sat`, `get-model`, `set-logic`, `set-info`, `set-option` and `exit` are ignored.
 *
 * Input constraints must be bounds on single variables; output constraints may be any linear
 * inequalities between outputs. One comparison must not mix inputs and outputs. The assertions are
 * brought into disjunctive normal form and the result must factor as
 * (union of input boxes) × (union of output polytopes); a disjunction of (input bounds ∧ output
 * constraints) cases is accepted when all cases share the same input boxes or the same output
 * polytopes (as VNN-COMP files do), and rejected otherwise.
 */
import { PreimageError } from '../errors.js';
import type { Box } from '../network/types.js';

/** An output polytope {y : T y <= t}; T is row-major, `rows` × `cols` (cols = output size). */
export interface OutputPolytope {
  T: Float64Array;
  t: Float64Array;
  rows: number;
  cols: number;
}

/**
 * A parsed VNN-LIB property: the input set is the union of `inputBoxes`, the output set (the
 * unsafe set in VNN-COMP convention) is the union of `output` polytopes, in file order.
 */
export interface VnnlibSpec {
  inputSize: number;
  outputSize: number;
  inputBoxes: Box[];
  output: OutputPolytope[];
}

export interface VnnlibOptions {
  /** Expected number of inputs (from the network); a mismatch is VNNLIB_DIMENSION. */
  inputSize?: number;
  /** Expected number of outputs; a mismatch is VNNLIB_DIMENSION. */
  outputSize?: number;
}

/** Most disjuncts the normal form may reach before the file is rejected as unsupported. */
const MAX_CASES = 100_000;

// ---------------------------------------------------------------------------------------------
// S-expressions

interface SAtom {
  atom: string;
  line: number;
}
interface SList {
  list: SNode[];
  line: number;
}
type SNode = SAtom | SList;

function isList(n: SNode): n is SList {
  return (n as SList).list !== undefined;
}

/** Reads all top-level S-expressions; parentheses are checked before anything is interpreted. */
function readSexprs(text: string): SNode[] {
  const top: SNode[] = [];
  const stack: SList[] = [];
  const n = text.length;
  let line = 1;
  let i = 0;
  const push = (node: SNode): void => {
    if (stack.length > 0) stack[stack.length - 1].list.push(node);
    else top.push(node);
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      i++;
    } else if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) i++;
    else if (c === 59) {
      // ; comment to end of line
      while (i < n && text.charCodeAt(i) !== 10) i++;
    } else if (c === 40) {
      stack.push({ list: [], line });
      i++;
    } else if (c === 41) {
      const l = stack.pop();
      if (!l) throw new PreimageError('VNNLIB_PARENTHESES', "unmatched ')': no '(' is open here", `line ${line}`);
      push(l);
      i++;
    } else if (c === 124 || c === 34) {
      // |quoted symbol| or "string": kept as one atom (quotes included)
      const start = i, startLine = line;
      i++;
      while (i < n && text.charCodeAt(i) !== c) {
        if (text.charCodeAt(i) === 10) line++;
        i++;
      }
      if (i >= n) {
        throw new PreimageError('VNNLIB_SYNTAX', `expected a closing ${text[start]} for the one opened here, found end of file`, `line ${startLine}`);
      }
      i++;
      push({ atom: text.slice(start, i), line: startLine });
    } else {
      const start = i;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 40 || d === 41 || d === 59 || d === 32 || d === 10 || d === 9 || d === 13 || d === 12 || d === 11 || d === 34 || d === 124) break;
        i++;
      }
      push({ atom: text.slice(start, i), line });
    }
  }
  if (stack.length > 0) {
    const open = stack[0];
    throw new PreimageError(
      'VNNLIB_PARENTHESES',
      `unmatched '(': the expression opened on line ${open.line} is never closed (${stack.length} '(' still open at end of file)`,
      `line ${open.line}`,
    );
  }
  return top;
}

function show(node: SNode, max = 60): string {
  const s = isList(node) ? `(${node.list.map((k) => show(k, max)).join(' ')})` : node.atom;
  return s.length > max ? s.slice(0, max) + '…' : s;
}

// ---------------------------------------------------------------------------------------------
// Linear terms and atoms

/**
 * A linear expression sum_k vals[k] * var(ids[k]) + c over variable ids: X_i is 2i, Y_j is 2j + 1.
 * Sparse, non-zero coefficients only; the arrays are never mutated once built (they are shared).
 */
interface Lin {
  ids: number[];
  vals: number[];
  c: number;
}

/** The constraint `sum vals[k] var(ids[k]) + c <= 0` from the comparison on `line`; all inputs or all outputs. */
interface Atom extends Lin {
  input: boolean;
  line: number;
}

type Conj = Atom[];
type Dnf = Conj[];

const NONE: number[] = [];

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const VAR_RE = /^([XY])_(0|[1-9]\d*)$/;
const IGNORED = new Set(['check-sat', 'get-model', 'set-logic', 'set-info', 'set-option', 'exit']);
const COMPARISONS = new Set(['<=', '>=', '<', '>', '=']);

interface Decl {
  kind: 'X' | 'Y';
  index: number;
  /** Variable id in {@link Lin}: 2 index for X, 2 index + 1 for Y. */
  id: number;
  line: number;
}

function constant(c: number): Lin {
  return { ids: NONE, vals: NONE, c };
}

/** a + s b (a new expression; inputs are not modified). */
function combine(a: Lin, b: Lin, s: number): Lin {
  if (b.ids.length === 0) return { ids: a.ids, vals: a.vals, c: a.c + s * b.c };
  if (a.ids.length === 0 && s === 1) return { ids: b.ids, vals: b.vals, c: a.c + b.c };
  const ids = a.ids.slice(), vals = a.vals.slice();
  for (let k = 0; k < b.ids.length; k++) {
    const j = ids.indexOf(b.ids[k]);
    if (j < 0) {
      ids.push(b.ids[k]);
      vals.push(s * b.vals[k]);
    } else vals[j] += s * b.vals[k];
  }
  for (let j = ids.length - 1; j >= 0; j--) {
    if (vals[j] === 0) {
      ids.splice(j, 1);
      vals.splice(j, 1);
    }
  }
  return { ids, vals, c: a.c + s * b.c };
}

function scale(a: Lin, s: number): Lin {
  if (s === 0) return constant(0);
  return { ids: a.ids, vals: a.vals.map((v) => v * s), c: a.c * s };
}

function isConstant(a: Lin): boolean {
  return a.ids.length === 0;
}

const varName = (id: number): string => `${id & 1 ? 'Y' : 'X'}_${id >> 1}`;

class Interpreter {
  decls = new Map<string, Decl>();

  term(node: SNode): Lin {
    if (!isList(node)) {
      const a = node.atom;
      if (NUMBER_RE.test(a)) return constant(Number(a));
      const d = this.decls.get(a);
      if (!d) {
        throw new PreimageError(
          'VNNLIB_UNDECLARED',
          `expected a declared variable or a number, found "${a}"${VAR_RE.test(a) ? ` (add (declare-const ${a} Real) before its first use)` : ''}`,
          `line ${node.line}`,
        );
      }
      return { ids: [d.id], vals: [1], c: 0 };
    }
    const [head, ...args] = node.list;
    if (!head || isList(head)) {
      throw new PreimageError('VNNLIB_SYNTAX', `expected a term such as (+ X_0 1), found "${show(node)}"`, `line ${node.line}`);
    }
    const at = `line ${node.line}`;
    if (args.length === 0) throw new PreimageError('VNNLIB_SYNTAX', `expected arguments for "${head.atom}", found none in "${show(node)}"`, at);
    const ts = args.map((a) => this.term(a));
    switch (head.atom) {
      case '+':
        return ts.slice(1).reduce((s, t) => combine(s, t, 1), ts[0]);
      case '-':
        return ts.length === 1 ? scale(ts[0], -1) : ts.slice(1).reduce((s, t) => combine(s, t, -1), ts[0]);
      case '*': {
        let factor = 1;
        let lin: Lin | null = null;
        for (const t of ts) {
          if (isConstant(t)) factor *= t.c;
          else if (lin) throw new PreimageError('VNNLIB_UNSUPPORTED', `expected linear terms, found the nonlinear product "${show(node)}"`, at);
          else lin = t;
        }
        return lin ? scale(lin, factor) : constant(factor);
      }
      case '/': {
        if (ts.slice(1).some((t) => !isConstant(t))) {
          throw new PreimageError('VNNLIB_UNSUPPORTED', `expected division by a constant, found the nonlinear term "${show(node)}"`, at);
        }
        let divisor = 1;
        for (const t of ts.slice(1)) divisor *= t.c;
        if (divisor === 0 || ts.length < 2) throw new PreimageError('VNNLIB_SYNTAX', `expected division by a non-zero constant, found "${show(node)}"`, at);
        return scale(ts[0], 1 / divisor);
      }
      default:
        throw new PreimageError(
          'VNNLIB_UNSUPPORTED',
          `expected a linear term built from +, -, * and / by constants, found the function "${head.atom}"`,
          at,
        );
    }
  }

  /** `lo <= hi` for two atoms when both are numbers or declared variables (else null: the general path reports errors). */
  private simpleLeq(lo: string, hi: string, line: number): Atom | boolean | null {
    const dl = this.decls.get(lo), dh = this.decls.get(hi);
    if (dl && dh) {
      if (dl === dh) return true;
      if (dl.kind !== 'Y' || dh.kind !== 'Y') return null; // mixed or not a box: the general path says why
      return { ids: [dl.id, dh.id], vals: [1, -1], c: 0, input: false, line };
    }
    if (dl && NUMBER_RE.test(hi)) return { ids: [dl.id], vals: [1], c: -Number(hi), input: dl.kind === 'X', line };
    if (dh && NUMBER_RE.test(lo)) return { ids: [dh.id], vals: [-1], c: Number(lo), input: dh.kind === 'X', line };
    return null;
  }

  /** A comparison: `lo <= hi` as an atom, or a constant truth value. */
  private leq(lo: Lin, hi: Lin, line: number): Atom | boolean {
    const d = combine(lo, hi, -1);
    if (isConstant(d)) return d.c <= 0;
    let nx = 0;
    for (const id of d.ids) if ((id & 1) === 0) nx++;
    if (nx > 0 && nx < d.ids.length) {
      throw new PreimageError(
        'VNNLIB_UNSUPPORTED',
        `expected each comparison to involve only inputs X_i or only outputs Y_j, found one that mixes ${d.ids.map(varName).join(', ')}`,
        `line ${line}`,
      );
    }
    if (nx > 1) {
      throw new PreimageError(
        'VNNLIB_UNSUPPORTED',
        `expected input constraints to be bounds on single variables (boxes), found a constraint on ${d.ids.map(varName).join(', ')}`,
        `line ${line}`,
      );
    }
    return { ids: d.ids, vals: d.vals, c: d.c, input: nx > 0, line };
  }

  formula(node: SNode): Dnf {
    if (!isList(node)) {
      if (node.atom === 'true') return [[]];
      if (node.atom === 'false') return [];
      throw new PreimageError('VNNLIB_SYNTAX', `expected a formula such as (<= X_0 1), found "${node.atom}"`, `line ${node.line}`);
    }
    const [head, ...args] = node.list;
    const at = `line ${node.line}`;
    if (!head || isList(head)) throw new PreimageError('VNNLIB_SYNTAX', `expected a formula such as (<= X_0 1), found "${show(node)}"`, at);
    const op = head.atom;
    if (op === 'and') {
      let acc: Dnf = [[]];
      for (const a of args) {
        const f = this.formula(a);
        if (f.length === 1 && acc.length === 1) {
          for (const atom of f[0]) acc[0].push(atom);
          continue;
        }
        if (acc.length * f.length > MAX_CASES) {
          throw new PreimageError('VNNLIB_UNSUPPORTED', `expected at most ${MAX_CASES} cases after expanding and/or, found more`, at);
        }
        const next: Dnf = [];
        for (const c1 of acc) for (const c2 of f) next.push([...c1, ...c2]);
        acc = next;
      }
      return acc;
    }
    if (op === 'or') {
      const out: Dnf = [];
      for (const a of args) for (const c of this.formula(a)) out.push(c);
      if (out.length > MAX_CASES) throw new PreimageError('VNNLIB_UNSUPPORTED', `expected at most ${MAX_CASES} cases in a disjunction, found more`, at);
      return out;
    }
    if (COMPARISONS.has(op)) {
      if (args.length === 2 && op !== '=' && !isList(args[0]) && !isList(args[1])) {
        // Fast path for the bulk of real files: (<= X_3 0.5), (>= Y_0 Y_1).
        const lo = op[0] === '<' ? args[0] : args[1], hi = op[0] === '<' ? args[1] : args[0];
        const a = this.simpleLeq(lo.atom, hi.atom, node.line);
        if (a !== null) return a === true ? [[]] : a === false ? [] : [[a]];
      }
      if (args.length < 2) throw new PreimageError('VNNLIB_SYNTAX', `expected at least two terms to compare, found "${show(node)}"`, at);
      const ts = args.map((a) => this.term(a));
      const conj: Conj = [];
      for (let k = 0; k + 1 < ts.length; k++) {
        const pairs: [Lin, Lin][] = op === '<=' || op === '<' ? [[ts[k], ts[k + 1]]] : op === '=' ? [[ts[k], ts[k + 1]], [ts[k + 1], ts[k]]] : [[ts[k + 1], ts[k]]];
        for (const [lo, hi] of pairs) {
          const a = this.leq(lo, hi, node.line);
          if (a === false) return [];
          if (a !== true) conj.push(a);
        }
      }
      return [conj];
    }
    if (op === 'not' || op === '=>' || op === 'xor' || op === 'ite' || op === 'distinct') {
      throw new PreimageError('VNNLIB_UNSUPPORTED', `expected and/or of linear comparisons, found "${op}" (not supported)`, at);
    }
    throw new PreimageError('VNNLIB_UNSUPPORTED', `expected and, or or a comparison (<=, >=, <, >, =), found "${op}"`, at);
  }

  declare(node: SList, name: SNode | undefined, sort: SNode | undefined): void {
    const at = `line ${node.line}`;
    if (!name || isList(name) || !sort) throw new PreimageError('VNNLIB_SYNTAX', `expected (declare-const NAME Real), found "${show(node)}"`, at);
    if (isList(sort) || sort.atom !== 'Real') {
      throw new PreimageError('VNNLIB_UNSUPPORTED', `expected variables of sort Real, found "${show(sort)}" for ${name.atom}`, at);
    }
    const m = VAR_RE.exec(name.atom);
    if (!m) throw new PreimageError('VNNLIB_UNSUPPORTED', `expected variables named X_i (inputs) or Y_j (outputs), found "${name.atom}"`, at);
    const prev = this.decls.get(name.atom);
    if (prev) throw new PreimageError('VNNLIB_SYNTAX', `expected each variable declared once, found ${name.atom} declared again (first on line ${prev.line})`, at);
    const kind = m[1] as 'X' | 'Y', index = Number(m[2]);
    if (!Number.isSafeInteger(2 * index + 1)) throw new PreimageError('VNNLIB_UNSUPPORTED', `expected a reasonable variable index, found ${name.atom}`, at);
    this.decls.set(name.atom, { kind, index, id: 2 * index + (kind === 'Y' ? 1 : 0), line: node.line });
  }
}

// ---------------------------------------------------------------------------------------------
// Assembling boxes and polytopes

interface Case {
  xs: Atom[];
  ys: Atom[];
}

function split(conj: Conj): Case {
  const xs: Atom[] = [], ys: Atom[] = [];
  for (const a of conj) (a.input ? xs : ys).push(a);
  return { xs, ys };
}

/** Cross product of lists of atom lists (each choice concatenated). */
function cross(factors: Atom[][][]): Atom[][] {
  let acc: Atom[][] = [[]];
  for (const f of factors) {
    if (acc.length * f.length > MAX_CASES) {
      throw new PreimageError('VNNLIB_UNSUPPORTED', `expected at most ${MAX_CASES} cases after combining the assertions, found more`);
    }
    const next: Atom[][] = [];
    for (const a of acc) for (const b of f) next.push(a.length === 0 ? b : b.length === 0 ? a : [...a, ...b]);
    acc = next;
  }
  return acc;
}

function boxFrom(lists: Atom[][], n: number): Box {
  const lo = new Float64Array(n).fill(-Infinity);
  const hi = new Float64Array(n).fill(Infinity);
  for (const list of lists) {
    for (const a of list) {
      const k = a.ids[0] >> 1, coef = a.vals[0]; // a single input variable (checked when the atom was made)
      const bound = -a.c / coef;
      if (coef > 0) {
        if (bound < hi[k]) hi[k] = bound;
      } else if (bound > lo[k]) lo[k] = bound;
    }
  }
  return { lo, hi };
}

function polytopeFrom(lists: Atom[][], m: number): OutputPolytope {
  let rows = 0;
  for (const l of lists) rows += l.length;
  const T = new Float64Array(rows * m), t = new Float64Array(rows);
  let r = 0;
  for (const list of lists) {
    for (const a of list) {
      for (let q = 0; q < a.ids.length; q++) T[r * m + (a.ids[q] >> 1)] = a.vals[q];
      t[r] = a.c === 0 ? 0 : -a.c;
      r++;
    }
  }
  return { T, t, rows, cols: m };
}

const boxKey = (b: Box): string => `${b.lo.join(',')}|${b.hi.join(',')}`;
const polyKey = (p: OutputPolytope): string => `${p.T.join(',')}|${p.t.join(',')}`;

function sameKeys(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

function dedupe<T>(items: T[], key: (v: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((v) => {
    const k = key(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function declaredSize(decls: Map<string, Decl>, kind: 'X' | 'Y', expected: number | undefined): number {
  const idx: number[] = [];
  for (const d of decls.values()) if (d.kind === kind) idx.push(d.index);
  const what = kind === 'X' ? 'input' : 'output';
  if (idx.length === 0) {
    throw new PreimageError('VNNLIB_DIMENSION', `expected ${what} variables ${kind}_0, ${kind}_1, ... to be declared, found none`);
  }
  const size = idx.length;
  const present = new Uint8Array(size);
  for (const k of idx) if (k < size) present[k] = 1;
  const missing = present.indexOf(0);
  if (missing >= 0) {
    throw new PreimageError(
      'VNNLIB_DIMENSION',
      `expected ${what} variables ${kind}_0..${kind}_${size - 1} (${size} declared), found ${kind}_${missing} missing (largest index ${Math.max(...idx)})`,
    );
  }
  if (expected !== undefined && expected !== size) {
    throw new PreimageError('VNNLIB_DIMENSION', `expected ${expected} ${what}s (${kind}_0..${kind}_${expected - 1}), found ${size} declared`);
  }
  return size;
}

/**
 * Parses a VNN-LIB property into input boxes and output polytopes (plain data).
 * @throws PreimageError EMPTY_FILE | VNNLIB_SYNTAX | VNNLIB_PARENTHESES | VNNLIB_UNDECLARED |
 *   VNNLIB_UNSUPPORTED | VNNLIB_DIMENSION | BAD_DOMAIN (an input lower bound above its upper bound),
 *   with `at: "line N"` where a line is known.
 */
export function parseVnnlib(input: string | Uint8Array, opts: VnnlibOptions = {}): VnnlibSpec {
  let text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const forms = readSexprs(text);
  if (forms.length === 0) throw new PreimageError('EMPTY_FILE', 'expected VNN-LIB declarations and assertions, found none');

  const ip = new Interpreter();
  const asserts: Dnf[] = [];
  for (const f of forms) {
    if (!isList(f) || f.list.length === 0 || isList(f.list[0])) {
      throw new PreimageError('VNNLIB_SYNTAX', `expected a command such as (assert ...), found "${show(f)}"`, `line ${f.line}`);
    }
    const cmd = (f.list[0] as SAtom).atom;
    if (cmd === 'declare-const') {
      if (f.list.length !== 3) throw new PreimageError('VNNLIB_SYNTAX', `expected (declare-const NAME Real), found "${show(f)}"`, `line ${f.line}`);
      ip.declare(f, f.list[1], f.list[2]);
    } else if (cmd === 'declare-fun') {
      const args = f.list[2];
      if (f.list.length !== 4 || !args || !isList(args) || args.list.length !== 0) {
        throw new PreimageError('VNNLIB_UNSUPPORTED', `expected (declare-fun NAME () Real) with no arguments, found "${show(f)}"`, `line ${f.line}`);
      }
      ip.declare(f, f.list[1], f.list[3]);
    } else if (cmd === 'assert') {
      if (f.list.length !== 2) throw new PreimageError('VNNLIB_SYNTAX', `expected (assert FORMULA) with one formula, found "${show(f)}"`, `line ${f.line}`);
      asserts.push(ip.formula(f.list[1]));
    } else if (!IGNORED.has(cmd)) {
      throw new PreimageError('VNNLIB_UNSUPPORTED', `expected declare-const or assert, found the command "${cmd}"`, `line ${f.line}`);
    }
  }
  const inputSize = declaredSize(ip.decls, 'X', opts.inputSize);
  const outputSize = declaredSize(ip.decls, 'Y', opts.outputSize);

  // Conjunctive assertions go into a common base; disjunctions become factors.
  const baseX: Atom[] = [], baseY: Atom[] = [];
  const xFactors: Atom[][][] = [], yFactors: Atom[][][] = [], mixed: Case[][] = [];
  let unsatisfiable = false;
  for (const dnf of asserts) {
    if (dnf.length === 0) unsatisfiable = true;
    else if (dnf.length === 1) {
      for (const a of dnf[0]) (a.input ? baseX : baseY).push(a);
    } else {
      const cases = dnf.map(split);
      if (cases.every((c) => c.ys.length === 0)) xFactors.push(cases.map((c) => c.xs));
      else if (cases.every((c) => c.xs.length === 0)) yFactors.push(cases.map((c) => c.ys));
      else mixed.push(cases);
    }
  }
  if (unsatisfiable) return { inputSize, outputSize, inputBoxes: [], output: [] };

  const xChoices = cross(xFactors), yChoices = cross(yFactors);
  const boxesWith = (extra: Atom[]): Box[] => xChoices.map((c) => boxFrom([baseX, c, extra], inputSize));
  const polysWith = (extra: Atom[]): OutputPolytope[] => yChoices.map((c) => polytopeFrom([baseY, c, extra], outputSize));

  let inputBoxes: Box[];
  let output: OutputPolytope[];
  if (mixed.length === 0) {
    inputBoxes = boxesWith([]);
    output = polysWith([]);
  } else {
    // Each combination of mixed cases contributes (its boxes) × (its polytopes).
    const combos = cross(mixed.map((cases) => cases.map((c) => [...c.xs, ...c.ys])));
    const parts = combos.map((atoms) => {
      const { xs, ys } = split(atoms);
      const boxes = boxesWith(xs), polys = polysWith(ys);
      return { boxes, polys, bk: boxes.map(boxKey), pk: polys.map(polyKey) };
    });
    if (parts.every((p) => sameKeys(p.bk, parts[0].bk))) {
      inputBoxes = parts[0].boxes;
      output = dedupe(parts.flatMap((p) => p.polys), polyKey);
    } else if (parts.every((p) => sameKeys(p.pk, parts[0].pk))) {
      inputBoxes = dedupe(parts.flatMap((p) => p.boxes), boxKey);
      output = parts[0].polys;
    } else {
      const line = mixed[0].find((c) => c.xs.length > 0)?.xs[0]?.line;
      throw new PreimageError(
        'VNNLIB_UNSUPPORTED',
        'expected the property to factor as (input boxes) × (output polytopes), found a disjunction pairing different input bounds with different output constraints',
        line !== undefined ? `line ${line}` : undefined,
      );
    }
  }

  const decl = (k: number): string | undefined => {
    const d = ip.decls.get(`X_${k}`);
    return d ? `line ${d.line}` : undefined;
  };
  inputBoxes.forEach((b, bi) => {
    const which = inputBoxes.length > 1 ? ` in input box ${bi + 1} of ${inputBoxes.length}` : '';
    for (let k = 0; k < inputSize; k++) {
      const hasLo = b.lo[k] !== -Infinity, hasHi = b.hi[k] !== Infinity;
      if (!hasLo || !hasHi) {
        const found = hasLo ? 'only a lower bound' : hasHi ? 'only an upper bound' : 'no bounds';
        throw new PreimageError('VNNLIB_DIMENSION', `expected lower and upper bounds for X_${k}, found ${found}${which}`, decl(k));
      }
      if (b.lo[k] > b.hi[k]) {
        throw new PreimageError(
          'BAD_DOMAIN',
          `expected lower bound <= upper bound for X_${k}, found ${b.lo[k]} > ${b.hi[k]}${which} (the input set would be empty)`,
          decl(k),
        );
      }
    }
  });
  return { inputSize, outputSize, inputBoxes, output };
}
