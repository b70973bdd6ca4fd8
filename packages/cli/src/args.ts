/** Options every command accepts (declared once in main.ts); commands import this type, never main.ts itself. */
export interface GlobalArgs {
  plugin?: string[];
  debug?: boolean;
}
