// Which operation GraphiQL runs, read from the text it sends. GraphiQL's own parse of the
// editor (the `documentAST` and `operationName` it hands the fetcher) lags behind typing,
// and the toolkit's fetcher picks the transport from it: a subscription run right after
// it was typed would go over HTTP, as the text before it did.
import { type DocumentNode, Kind, type OperationDefinitionNode, parse } from "graphql";

export interface OperationToRun {
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

/** The parsed `query` and its operation named `operationName`, or its only operation when
 * that name is not in it; null when the text does not parse or the choice is not clear
 * (the server then answers why). */
export function operationToRun(query: string, operationName?: string | null): OperationToRun | null {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch {
    return null;
  }
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  const operation =
    operations.find((candidate) => operationName && candidate.name?.value === operationName) ??
    (operations.length === 1 ? operations[0] : undefined);
  return operation ? { document, operation } : null;
}
