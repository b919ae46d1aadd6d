// The customer a preview is rendered for, found by search (name, kana, phone, email), as the
// journey preview picks one. Cleared: the preview's own default (as written, or the sample).
import { Select } from 'antd';
import { useState } from 'react';
import { fullName } from '../customers/names.ts';
// The customer picker's search, as the journey preview has it.
import { useCustomerSearch } from '../journeys/queries.ts';

export function CustomerPicker({
  id,
  value,
  onChange,
  placeholder,
  width = 320,
}: {
  id: string;
  value: number | undefined;
  onChange: (customerId: number | undefined) => void;
  placeholder: string;
  width?: number | string;
}) {
  const [search, setSearch] = useState('');
  const customers = useCustomerSearch(search);
  const options = (customers.data?.items ?? []).map((c) => ({
    value: c.id,
    label: fullName(c.familyName, c.givenName) || `#${c.id}`,
  }));
  return (
    <Select
      id={id}
      allowClear
      showSearch={{ filterOption: false, onSearch: setSearch }}
      placeholder={placeholder}
      style={{ width }}
      value={value}
      onChange={(next?: number) => onChange(next)}
      options={options}
      loading={customers.isFetching}
    />
  );
}
