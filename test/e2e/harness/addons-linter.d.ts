/** The part of addons-linter's library API the validator test uses (the package ships no types). */
declare module 'addons-linter' {
  interface LinterMessage { code: string; file?: string; message: string }
  interface Linter { run(): Promise<{ errors: LinterMessage[]; warnings: LinterMessage[]; notices: LinterMessage[] }> }
  const addonsLinter: { createInstance(options: { config: Record<string, unknown>; runAsBinary: boolean }): Linter };
  export default addonsLinter;
}
