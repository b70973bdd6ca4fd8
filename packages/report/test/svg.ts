import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** SVG checks for the tests: well-formedness (fast-xml-parser) and counting Vega's mark items. */

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };

export function assertWellFormed(svg: string): void {
  const v = XMLValidator.validate(svg);
  if (v !== true) throw new Error(`SVG is not well-formed: ${JSON.stringify(v.err)}`);
}

/** Items (child elements) of every Vega mark group of this type (`<g class="mark-rect role-mark …">`). */
export function countMarks(svg: string, type: string, role?: string): number {
  const tree = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: true }).parse(
    svg,
  ) as Node[];
  let n = 0;
  const walk = (nodes: Node[]) => {
    for (const node of nodes) {
      const tag = Object.keys(node).find((k) => k !== ':@')!;
      const cls = node[':@']?.class ?? '';
      const kids = (node[tag] ?? []) as Node[];
      if (
        tag === 'g' &&
        cls.split(' ').includes(`mark-${type}`) &&
        cls.includes('role-mark') &&
        (!role || cls.split(' ').includes(role))
      ) {
        n += kids.filter((k) => !Object.keys(k).includes('#text')).length;
      }
      if (Array.isArray(kids)) walk(kids);
    }
  };
  walk(tree);
  return n;
}
