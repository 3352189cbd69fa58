// GraphQL Code Generator: types and typed documents for the operations in src/, from the
// committed schema at the root of the repository. The output (src/gql/) is not committed:
// `npm run codegen` writes it, and run.sh (which CI runs) always regenerates it first.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        // Documents as strings with their types attached: sent as they are over fetch and
        // graphql-ws, no GraphQL parser at run time.
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
        // Upload is a file part of a multipart request (uploadDocumentVersion); in Node 20 a
        // Blob.
        scalars: { Date: 'string', DateTime: 'string', ID: 'string', Upload: 'Blob' },
      },
    },
  },
};

export default config;
