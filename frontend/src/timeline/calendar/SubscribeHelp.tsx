// How to subscribe to a feed in the usual calendar applications.
import { Accordion, List, Stack, Text, Title } from "@mantine/core";
import { useTranslation } from "react-i18next";

import { NAMESPACE } from "./names";

const APPLICATIONS = ["outlook", "google", "thunderbird", "apple", "other"] as const;

export function SubscribeHelp() {
  const { t } = useTranslation(NAMESPACE);
  return (
    <Stack gap="xs" component="section" aria-labelledby="calendar-how">
      <Title order={4} id="calendar-how">
        {t("how.title")}
      </Title>
      <Text size="sm">{t("how.intro")}</Text>
      <Accordion variant="separated" multiple>
        {APPLICATIONS.map((application) => {
          const steps = t(`how.${application}.steps`, { returnObjects: true }) as string[];
          return (
            <Accordion.Item key={application} value={application}>
              <Accordion.Control>{t(`how.${application}.name`)}</Accordion.Control>
              <Accordion.Panel>
                <List size="sm" spacing={4} type="ordered">
                  {steps.map((step) => (
                    <List.Item key={step}>{step}</List.Item>
                  ))}
                </List>
              </Accordion.Panel>
            </Accordion.Item>
          );
        })}
      </Accordion>
    </Stack>
  );
}
