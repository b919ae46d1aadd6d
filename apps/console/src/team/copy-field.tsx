// A value to copy (an invitation link, an API key, a webhook URL): shown in full, selectable,
// with a labelled copy button that says when it worked.
import { Button, Input, type InputRef, Space } from 'antd';
import { useRef, useState } from 'react';

export interface CopyFieldProps {
  value: string;
  /** The accessible name of the field, e.g. 「Webhook URL」. */
  label: string;
  copyLabel: string;
  copiedLabel: string;
}

export function CopyField({ value, label, copyLabel, copiedLabel }: CopyFieldProps) {
  const [copied, setCopied] = useState(false);
  const input = useRef<InputRef>(null);
  const copy = async () => {
    if (navigator.clipboard) await navigator.clipboard.writeText(value);
    else {
      // A console served over plain http on a LAN address has no Clipboard API (not a secure
      // context); selecting the text and the legacy copy command still work there.
      input.current?.select();
      document.execCommand('copy');
    }
    setCopied(true);
  };
  return (
    <Space.Compact style={{ width: '100%' }}>
      <Input
        ref={input}
        readOnly
        value={value}
        aria-label={label}
        onFocus={(e) => e.target.select()}
        style={{ fontFamily: 'ui-monospace, Menlo, Consolas, monospace' }}
      />
      <Button onClick={copy} aria-live="polite">
        {copied ? `✓ ${copiedLabel}` : copyLabel}
      </Button>
    </Space.Compact>
  );
}
