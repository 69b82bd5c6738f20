// asl-validator ships no types; what the definition test uses of it.
declare module 'asl-validator' {
  export default function aslValidator(definition: unknown, options?: { checkArn?: boolean; checkPaths?: boolean }): {
    isValid: boolean;
    errorsText(separator?: string): string;
  };
}
