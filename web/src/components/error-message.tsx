/** A readable error, announced to screen readers as it appears. */
export function ErrorMessage({ message }: { readonly message: string | undefined }) {
  return (
    <p class="error" role="alert" hidden={!message}>
      {message}
    </p>
  );
}
