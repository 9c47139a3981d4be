// esbuild's text loader turns each stylesheet into its source string.
declare module '*.css' {
  const text: string;
  export default text;
}
