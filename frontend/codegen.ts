// Types for every GraphQL document of the app, from the committed schema: a schema change
// that breaks the app breaks `npm run build`. Output in src/gql/ (generated, not committed).
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**"],
  ignoreNoDocuments: true,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: {
          DateTime: "string",
          Date: "string",
          Decimal: "string",
          UUID: "string",
          GenericScalar: "unknown",
          JSONString: "string",
        },
      },
    },
  },
};

export default config;
