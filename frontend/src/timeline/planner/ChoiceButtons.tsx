// One choice among a few (zoom, list or axis), as a group of toggle buttons: each a
// button that says whether it is pressed, reached with Tab and pressed with Enter or Space.
import { Button } from "@mantine/core";

export function ChoiceButtons<T extends string>({
  label,
  value,
  onChange,
  options,
}: {
  label: string;
  value: T;
  onChange: (value: T) => void;
  options: { value: T; label: string }[];
}) {
  return (
    <div role="group" aria-label={label}>
      <Button.Group>
        {options.map((option) => (
          <Button
            key={option.value}
            size="sm"
            variant={option.value === value ? "filled" : "default"}
            aria-pressed={option.value === value}
            onClick={() => onChange(option.value)}
          >
            {option.label}
          </Button>
        ))}
      </Button.Group>
    </div>
  );
}
