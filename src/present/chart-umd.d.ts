// chart.js's UMD build imported as text (`with { type: "text" }`), to inline in a self-contained HTML page.
declare module "*/chart.umd.min.js" {
  const source: string;
  export default source;
}
