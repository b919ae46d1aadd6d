// Creating a journey from nothing: a name, and a draft with a friend-add trigger and one exit
// (journey-draft.ts's emptyDefinition) is made; its steps are added on its page.
import { App as AntApp, Button, Form, Input, Modal, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useT } from '../i18n/locale.tsx';
import { editorMessages } from './editor-messages.ts';
import { emptyDefinition } from './journey-draft.ts';
import { journeyMessages } from './messages.ts';
import { useCreateJourney } from './queries.ts';

export function CreateEmptyJourneyButton() {
  const te = useT(editorMessages);
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button onClick={() => setOpen(true)}>{te('createEmpty')}</Button>
      {open && <CreateEmptyModal onClose={() => setOpen(false)} />}
    </>
  );
}

function CreateEmptyModal({ onClose }: { onClose: () => void }) {
  const t = useT(journeyMessages);
  const te = useT(editorMessages);
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const create = useCreateJourney();
  const submit = ({ name }: { name: string }) =>
    create.mutate(
      { name, definition: emptyDefinition() },
      {
        onSuccess: (journey) => {
          message.success(t('created', { name: journey.name }));
          onClose();
          navigate(`/journeys/${journey.id}`);
        },
        onError: (error) => message.error(t('createFailed', { reason: error.message })),
      },
    );
  return (
    <Modal
      open
      title={te('createEmptyTitle')}
      onCancel={onClose}
      okText={t('createOk')}
      cancelText={t('cancel')}
      okButtonProps={{ htmlType: 'submit', form: 'create-empty-journey', loading: create.isPending }}
      width={560}
    >
      <Typography.Paragraph>{te('createEmptyNote')}</Typography.Paragraph>
      <Form id="create-empty-journey" layout="vertical" onFinish={submit}>
        <Form.Item
          name="name"
          label={t('journeyName')}
          rules={[{ required: true, whitespace: true, message: t('nameRequired') }]}
        >
          <Input maxLength={200} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
