<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>AlertsPage</name>
    <message>
        <source>Alerts</source>
        <translation>Alarme</translation>
    </message>
    <message numerus="yes">
        <source>%n open</source>
        <translation>
            <numerusform>%n offen</numerusform>
            <numerusform>%n offen</numerusform>
        </translation>
    </message>
    <message>
        <source>All</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>Show cleared</source>
        <translation>Behobene anzeigen</translation>
    </message>
    <message>
        <source>No alerts</source>
        <translation>Keine Alarme</translation>
    </message>
    <message>
        <source>Not connected</source>
        <translation>Nicht verbunden</translation>
    </message>
    <message>
        <source>Acknowledge alert</source>
        <translation>Alarm quittieren</translation>
    </message>
    <message>
        <source>Clear alert</source>
        <translation>Alarm aufheben</translation>
    </message>
    <message>
        <source>The alert is closed now; it is raised again if its condition returns.</source>
        <translation>Der Alarm wird jetzt geschlossen; tritt die Bedingung erneut auf, wird er wieder ausgelöst.</translation>
    </message>
    <message>
        <source>Note (optional)</source>
        <translation>Notiz (optional)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>Quittieren</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Aufheben</translation>
    </message>
    <message numerus="yes">
        <source>Rule %1 · %n times since %2</source>
        <translation>
            <numerusform>Regel %1 · %n-mal seit %2</numerusform>
            <numerusform>Regel %1 · %n-mal seit %2</numerusform>
        </translation>
    </message>
    <message>
        <source>Rule %1 · since %2</source>
        <translation>Regel %1 · seit %2</translation>
    </message>
    <message>
        <source>Acknowledged by %1 at %2</source>
        <translation>Quittiert von %1 am %2</translation>
    </message>
    <message>
        <source>Cleared by %1 at %2</source>
        <translation>Aufgehoben von %1 am %2</translation>
    </message>
    <message>
        <source>Cleared at %1</source>
        <translation>Behoben am %1</translation>
    </message>
    <message>
        <source>Read-only access: this token may look but not change anything.</source>
        <translation>Nur-Lese-Zugriff: Mit diesem Token können Sie alles ansehen, aber nichts ändern.</translation>
    </message>
</context>
<context>
    <name>ApiClient</name>
    <message>
        <source>no answer from the gateway</source>
        <translation>keine Antwort vom Gateway</translation>
    </message>
    <message>
        <source>connection closed</source>
        <translation>Verbindung geschlossen</translation>
    </message>
    <message>
        <source>invalid url</source>
        <translation>ungültige URL</translation>
    </message>
    <message>
        <source>token refused</source>
        <translation>Token abgelehnt</translation>
    </message>
    <message>
        <source>connection lost</source>
        <translation>Verbindung verloren</translation>
    </message>
    <message>
        <source>token required</source>
        <translation>Token erforderlich</translation>
    </message>
    <message>
        <source>not connected</source>
        <translation>nicht verbunden</translation>
    </message>
    <message>
        <source>no CA certificate in %1</source>
        <translation>kein CA-Zertifikat in %1</translation>
    </message>
    <message>
        <source>gateway certificate not trusted: %1</source>
        <translation>Zertifikat des Gateways nicht vertrauenswürdig: %1</translation>
    </message>
</context>
<context>
    <name>CampaignCard</name>
    <message>
        <source>%1 of %2 done · %3 succeeded · %4 failed · %5 in progress · %6 waiting</source>
        <translation>%1 von %2 fertig · %3 erfolgreich · %4 fehlgeschlagen · %5 in Arbeit · %6 wartend</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Cancel campaign</source>
        <translation>Kampagne abbrechen</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>Geräte</translation>
    </message>
</context>
<context>
    <name>CampaignDialog</name>
    <message>
        <source>New update campaign</source>
        <translation>Neue Update-Kampagne</translation>
    </message>
    <message>
        <source>Firmware</source>
        <translation>Firmware</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>optional, e.g. spring rollout</source>
        <translation>optional, z. B. Frühjahrs-Rollout</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>Device type</source>
        <translation>Gerätetyp</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>Geräte</translation>
    </message>
    <message>
        <source>Device ids</source>
        <translation>Geräte-IDs</translation>
    </message>
    <message>
        <source>ids separated by commas</source>
        <translation>IDs durch Kommas getrennt</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>Batch-Größe</translation>
    </message>
    <message>
        <source>Max. concurrent</source>
        <translation>Max. gleichzeitig</translation>
    </message>
    <message>
        <source>Failure threshold</source>
        <translation>Fehlerschwelle</translation>
    </message>
    <message>
        <source>never pause</source>
        <translation>nie anhalten</translation>
    </message>
    <message>
        <source>failures pause the campaign</source>
        <translation>Fehler halten die Kampagne an</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Start campaign</source>
        <translation>Kampagne starten</translation>
    </message>
</context>
<context>
    <name>CancelCampaignDialog</name>
    <message>
        <source>Cancel campaign</source>
        <translation>Kampagne abbrechen</translation>
    </message>
    <message>
        <source>Cancel campaign %1? Devices that have not started installing keep their firmware.</source>
        <translation>Kampagne %1 abbrechen? Geräte, die noch nicht installieren, behalten ihre Firmware.</translation>
    </message>
    <message>
        <source>Keep running</source>
        <translation>Weiterlaufen lassen</translation>
    </message>
</context>
<context>
    <name>ConnectionBanner</name>
    <message>
        <source>Connecting to %1…</source>
        <translation>Verbindung zu %1 wird aufgebaut …</translation>
    </message>
    <message>
        <source>Signing in to %1…</source>
        <translation>Anmeldung bei %1 …</translation>
    </message>
    <message>
        <source>Connection lost (%1). Reconnecting in %2 s</source>
        <translation>Verbindung verloren (%1). Neuer Versuch in %2 s</translation>
    </message>
    <message>
        <source>Reconnecting in %1 s</source>
        <translation>Neuer Versuch in %1 s</translation>
    </message>
    <message>
        <source>Disconnected: %1</source>
        <translation>Getrennt: %1</translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>Getrennt</translation>
    </message>
    <message>
        <source>Retry now</source>
        <translation>Jetzt erneut versuchen</translation>
    </message>
</context>
<context>
    <name>DeleteImageDialog</name>
    <message>
        <source>Delete firmware image</source>
        <translation>Firmware-Image löschen</translation>
    </message>
    <message>
        <source>Delete %1 %2 from the gateway? Devices can no longer download it.</source>
        <translation>%1 %2 vom Gateway löschen? Geräte können es dann nicht mehr herunterladen.</translation>
    </message>
    <message>
        <source>Keep</source>
        <translation>Behalten</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
</context>
<context>
    <name>DeviceDetailPage</name>
    <message>
        <source>true</source>
        <translation>wahr</translation>
    </message>
    <message>
        <source>false</source>
        <translation>falsch</translation>
    </message>
    <message>
        <source>Command queued (id %1, %2).</source>
        <translation>Befehl eingereiht (ID %1, %2).</translation>
    </message>
    <message>
        <source>Command refused: %1</source>
        <translation>Befehl abgelehnt: %1</translation>
    </message>
    <message>
        <source>Pick a device on the Devices page.</source>
        <translation>Wählen Sie ein Gerät auf der Seite „Geräte“.</translation>
    </message>
    <message>
        <source>The gateway does not know device %1 (any more).</source>
        <translation>Das Gateway kennt das Gerät %1 nicht (mehr).</translation>
    </message>
    <message>
        <source>This device waits for approval. Its messages are held until then.</source>
        <translation>Dieses Gerät wartet auf Freigabe. Seine Nachrichten werden bis dahin zurückgehalten.</translation>
    </message>
    <message>
        <source>This device waits for approval (read-only access).</source>
        <translation>Dieses Gerät wartet auf Freigabe (Nur-Lese-Zugriff).</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>Freigeben</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>Ablehnen</translation>
    </message>
    <message>
        <source>Last values</source>
        <translation>Letzte Werte</translation>
    </message>
    <message>
        <source>No telemetry in the last %1.</source>
        <translation>Keine Messwerte in der letzten %1.</translation>
    </message>
    <message>
        <source>hour</source>
        <translation>Stunde</translation>
    </message>
    <message numerus="yes">
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n Minute</numerusform>
            <numerusform>%n Minuten</numerusform>
        </translation>
    </message>
    <message>
        <source>Telemetry</source>
        <translation>Messwerte</translation>
    </message>
    <message>
        <source>1 min</source>
        <translation>1 min</translation>
    </message>
    <message>
        <source>5 min</source>
        <translation>5 min</translation>
    </message>
    <message>
        <source>15 min</source>
        <translation>15 min</translation>
    </message>
    <message>
        <source>1 h</source>
        <translation>1 h</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Firmware</source>
        <translation>Firmware</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>Zuletzt gesehen</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Uptime</source>
        <translation>Laufzeit</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Nachrichten</translation>
    </message>
    <message>
        <source>%1 per minute</source>
        <translation>%1 pro Minute</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <source>Capabilities</source>
        <translation>Fähigkeiten</translation>
    </message>
    <message>
        <source>Control</source>
        <translation>Steuerung</translation>
    </message>
    <message>
        <source>Read-only access: changes need an admin token.</source>
        <translation>Nur-Lese-Zugriff: Änderungen erfordern ein Admin-Token.</translation>
    </message>
    <message>
        <source>Maintenance mode</source>
        <translation>Wartungsmodus</translation>
    </message>
    <message>
        <source>No offline alerts while the device is worked on.</source>
        <translation>Keine Offline-Alarme, solange am Gerät gearbeitet wird.</translation>
    </message>
    <message>
        <source>Send a command</source>
        <translation>Befehl senden</translation>
    </message>
    <message>
        <source>Command name, e.g. reboot</source>
        <translation>Befehlsname, z. B. reboot</translation>
    </message>
    <message>
        <source>Parameters as a JSON object, e.g. {&quot;delay_s&quot;: 5}</source>
        <translation>Parameter als JSON-Objekt, z. B. {&quot;delay_s&quot;: 5}</translation>
    </message>
    <message>
        <source>The parameters are not a JSON object.</source>
        <translation>Die Parameter sind kein JSON-Objekt.</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Reject device?</source>
        <translation>Gerät ablehnen?</translation>
    </message>
    <message>
        <source>%1 is removed from the gateway and its held messages are dropped.</source>
        <translation>%1 wird vom Gateway entfernt, und seine zurückgehaltenen Nachrichten werden verworfen.</translation>
    </message>
    <message>
        <source>Proven by</source>
        <translation>Nachgewiesen durch</translation>
    </message>
    <message>
        <source>its token</source>
        <translation>sein Token</translation>
    </message>
    <message>
        <source>its DTLS key (PSK)</source>
        <translation>seinen DTLS-Schlüssel (PSK)</translation>
    </message>
    <message>
        <source>its certificate</source>
        <translation>sein Zertifikat</translation>
    </message>
    <message>
        <source>the broker</source>
        <translation>den Broker</translation>
    </message>
    <message>
        <source>nothing: no credentials</source>
        <translation>nichts: keine Zugangsdaten</translation>
    </message>
</context>
<context>
    <name>DevicesPage</name>
    <message>
        <source>Devices</source>
        <translation>Geräte</translation>
    </message>
    <message numerus="yes">
        <source>%n device(s)</source>
        <translation>
            <numerusform>%n Gerät</numerusform>
            <numerusform>%n Geräte</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 of %2 devices</source>
        <translation>%1 von %2 Geräten</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>Alle Status</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>All types</source>
        <translation>Alle Typen</translation>
    </message>
    <message>
        <source>Sort by</source>
        <translation>Sortieren nach</translation>
    </message>
    <message>
        <source>Sort by name</source>
        <translation>Nach Name sortieren</translation>
    </message>
    <message>
        <source>Sort by status</source>
        <translation>Nach Status sortieren</translation>
    </message>
    <message>
        <source>Sort by type</source>
        <translation>Nach Typ sortieren</translation>
    </message>
    <message>
        <source>Sort by last seen</source>
        <translation>Nach letztem Kontakt sortieren</translation>
    </message>
    <message>
        <source>Descending</source>
        <translation>Absteigend</translation>
    </message>
    <message>
        <source>Ascending</source>
        <translation>Aufsteigend</translation>
    </message>
    <message>
        <source>%1 msg/min</source>
        <translation>%1 Nachr./min</translation>
    </message>
    <message>
        <source>No devices yet.</source>
        <translation>Noch keine Geräte.</translation>
    </message>
    <message>
        <source>No device matches the filter.</source>
        <translation>Kein Gerät entspricht dem Filter.</translation>
    </message>
</context>
<context>
    <name>FirmwarePage</name>
    <message>
        <source>Uploaded %1 %2</source>
        <translation>%1 %2 hochgeladen</translation>
    </message>
    <message>
        <source>Upload failed: %1</source>
        <translation>Hochladen fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Firmware</source>
        <translation>Firmware</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n Image</numerusform>
            <numerusform>%n Images</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n campaign(s)</source>
        <translation>
            <numerusform>%n Kampagne</numerusform>
            <numerusform>%n Kampagnen</numerusform>
        </translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>Campaigns</source>
        <translation>Kampagnen</translation>
    </message>
    <message>
        <source>Upload image…</source>
        <translation>Image hochladen …</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>for %1</source>
        <translation>für %1</translation>
    </message>
    <message>
        <source>any device type</source>
        <translation>jeder Gerätetyp</translation>
    </message>
    <message>
        <source>uploaded %1</source>
        <translation>hochgeladen am %1</translation>
    </message>
    <message>
        <source>Roll out…</source>
        <translation>Verteilen …</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>No firmware images yet</source>
        <translation>Noch keine Firmware-Images</translation>
    </message>
    <message>
        <source>New campaign…</source>
        <translation>Neue Kampagne …</translation>
    </message>
    <message>
        <source>All campaigns</source>
        <translation>Alle Kampagnen</translation>
    </message>
    <message>
        <source>No campaigns yet</source>
        <translation>Noch keine Kampagnen</translation>
    </message>
    <message>
        <source>Jobs of campaign %1</source>
        <translation>Aufträge der Kampagne %1</translation>
    </message>
    <message>
        <source>%1 %2%</source>
        <translation>%1 %2 %</translation>
    </message>
    <message>
        <source>Pick a campaign to see its devices</source>
        <translation>Kampagne wählen, um ihre Geräte zu sehen</translation>
    </message>
    <message>
        <source>Read-only access: this token may look but not change anything.</source>
        <translation>Nur-Lese-Zugriff: Mit diesem Token können Sie alles ansehen, aber nichts ändern.</translation>
    </message>
</context>
<context>
    <name>FirmwareUploader</name>
    <message>
        <source>an upload is already running</source>
        <translation>es läuft bereits ein Upload</translation>
    </message>
    <message>
        <source>no gateway</source>
        <translation>kein Gateway</translation>
    </message>
    <message>
        <source>name and version are required</source>
        <translation>Name und Version sind erforderlich</translation>
    </message>
    <message>
        <source>cannot read %1: %2</source>
        <translation>%1 nicht lesbar: %2</translation>
    </message>
    <message>
        <source>upload cancelled</source>
        <translation>Upload abgebrochen</translation>
    </message>
    <message>
        <source>uploaded</source>
        <translation>hochgeladen</translation>
    </message>
    <message>
        <source>HTTP status %1</source>
        <translation>HTTP-Status %1</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Maintenance</source>
        <translation>Wartung</translation>
    </message>
    <message>
        <source>Pending approval</source>
        <translation>Wartet auf Freigabe</translation>
    </message>
    <message>
        <source>Critical</source>
        <translation>Kritisch</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>Warnung</translation>
    </message>
    <message>
        <source>Info</source>
        <translation>Info</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>Quittiert</translation>
    </message>
    <message>
        <source>Cleared</source>
        <translation>Behoben</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Angehalten</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Abgeschlossen</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Paused by an operator</source>
        <translation>Vom Bediener angehalten</translation>
    </message>
    <message>
        <source>Paused: failure threshold reached</source>
        <translation>Angehalten: Fehlerschwelle erreicht</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Wartend</translation>
    </message>
    <message>
        <source>Notified</source>
        <translation>Benachrichtigt</translation>
    </message>
    <message>
        <source>Downloading</source>
        <translation>Download läuft</translation>
    </message>
    <message>
        <source>Downloaded</source>
        <translation>Heruntergeladen</translation>
    </message>
    <message>
        <source>Installing</source>
        <translation>Installation läuft</translation>
    </message>
    <message>
        <source>Succeeded</source>
        <translation>Erfolgreich</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Rolled back</source>
        <translation>Zurückgerollt</translation>
    </message>
    <message>
        <source>Timed out</source>
        <translation>Zeitüberschreitung</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Verbunden</translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>Getrennt</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Deaktiviert</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>Acknowledging the alert</source>
        <translation>Quittieren des Alarms</translation>
    </message>
    <message>
        <source>Clearing the alert</source>
        <translation>Aufheben des Alarms</translation>
    </message>
    <message>
        <source>Approving the device</source>
        <translation>Freigeben des Geräts</translation>
    </message>
    <message>
        <source>Rejecting the device</source>
        <translation>Ablehnen des Geräts</translation>
    </message>
    <message>
        <source>Changing maintenance mode</source>
        <translation>Ändern des Wartungsmodus</translation>
    </message>
    <message>
        <source>Sending the command</source>
        <translation>Senden des Befehls</translation>
    </message>
    <message>
        <source>Loading the status history</source>
        <translation>Laden des Statusverlaufs</translation>
    </message>
    <message>
        <source>Loading the telemetry history</source>
        <translation>Laden des Messwertverlaufs</translation>
    </message>
    <message>
        <source>Creating the campaign</source>
        <translation>Anlegen der Kampagne</translation>
    </message>
    <message>
        <source>Pausing the campaign</source>
        <translation>Anhalten der Kampagne</translation>
    </message>
    <message>
        <source>Resuming the campaign</source>
        <translation>Fortsetzen der Kampagne</translation>
    </message>
    <message>
        <source>Cancelling the campaign</source>
        <translation>Abbrechen der Kampagne</translation>
    </message>
    <message>
        <source>Loading the campaign&apos;s jobs</source>
        <translation>Laden der Kampagnenaufträge</translation>
    </message>
    <message>
        <source>Loading the firmware list</source>
        <translation>Laden der Firmware-Liste</translation>
    </message>
    <message>
        <source>Deleting the firmware</source>
        <translation>Löschen der Firmware</translation>
    </message>
    <message>
        <source>EdgeGate Dashboard — %1</source>
        <translation>EdgeGate-Dashboard — %1</translation>
    </message>
    <message>
        <source>EdgeGate Dashboard</source>
        <translation>EdgeGate-Dashboard</translation>
    </message>
    <message>
        <source>%1: read-only access</source>
        <translation>%1: Nur-Lese-Zugriff</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>EdgeGate</source>
        <translation>EdgeGate</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>Geräte</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Alarme</translation>
    </message>
    <message>
        <source>Firmware</source>
        <translation>Firmware</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Admin access</source>
        <translation>Admin-Zugriff</translation>
    </message>
    <message>
        <source>Admin</source>
        <translation>Admin</translation>
    </message>
    <message>
        <source>Read-only access</source>
        <translation>Nur-Lese-Zugriff</translation>
    </message>
    <message>
        <source>Read-only</source>
        <translation>Nur lesen</translation>
    </message>
</context>
<context>
    <name>OverviewPage</name>
    <message>
        <source>Overview</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>Gateway %1, version %2</source>
        <translation>Gateway %1, Version %2</translation>
    </message>
    <message>
        <source>up %1</source>
        <translation>läuft seit %1</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Online</translation>
    </message>
    <message numerus="yes">
        <source>of %n device(s)</source>
        <translation>
            <numerusform>von %n Gerät</numerusform>
            <numerusform>von %n Geräten</numerusform>
        </translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>Pending approval</source>
        <translation>Wartet auf Freigabe</translation>
    </message>
    <message>
        <source>Open alerts</source>
        <translation>Offene Alarme</translation>
    </message>
    <message>
        <source>Messages/s</source>
        <translation>Nachrichten/s</translation>
    </message>
    <message>
        <source>mean over 10 s</source>
        <translation>Mittel über 10 s</translation>
    </message>
    <message>
        <source>Outbox</source>
        <translation>Ausgangspuffer</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>no outbox</source>
        <translation>kein Ausgangspuffer</translation>
    </message>
    <message>
        <source>Broker</source>
        <translation>Broker</translation>
    </message>
    <message>
        <source>Upstream</source>
        <translation>Upstream</translation>
    </message>
    <message>
        <source>Devices in error</source>
        <translation>Geräte mit Fehler</translation>
    </message>
    <message>
        <source>No device reports an error.</source>
        <translation>Kein Gerät meldet einen Fehler.</translation>
    </message>
    <message>
        <source>Waiting for approval</source>
        <translation>Warten auf Freigabe</translation>
    </message>
    <message>
        <source>No device is waiting for approval.</source>
        <translation>Kein Gerät wartet auf Freigabe.</translation>
    </message>
    <message>
        <source>%1 in error</source>
        <translation>%1 mit Fehler</translation>
    </message>
    <message>
        <source>%1 in maintenance</source>
        <translation>%1 in Wartung</translation>
    </message>
</context>
<context>
    <name>PageHeader</name>
    <message>
        <source>Back</source>
        <translation>Zurück</translation>
    </message>
</context>
<context>
    <name>SearchField</name>
    <message>
        <source>Search…</source>
        <translation>Suchen …</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>Suche</translation>
    </message>
    <message>
        <source>Clear search</source>
        <translation>Suche löschen</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Settings saved</source>
        <translation>Einstellungen gespeichert</translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>Getrennt</translation>
    </message>
    <message>
        <source>Connecting</source>
        <translation>Verbindungsaufbau</translation>
    </message>
    <message>
        <source>Authenticating</source>
        <translation>Anmeldung läuft</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Verbunden</translation>
    </message>
    <message>
        <source>Reconnecting in %1 s</source>
        <translation>Neuer Versuch in %1 s</translation>
    </message>
    <message>
        <source>Administrator: may change everything</source>
        <translation>Administrator: darf alles ändern</translation>
    </message>
    <message>
        <source>Viewer: read-only access</source>
        <translation>Betrachter: Nur-Lese-Zugriff</translation>
    </message>
    <message>
        <source>none (not connected)</source>
        <translation>keine (nicht verbunden)</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Verbindung</translation>
    </message>
    <message>
        <source>Gateway URL</source>
        <translation>Gateway-URL</translation>
    </message>
    <message>
        <source>API token</source>
        <translation>API-Token</translation>
    </message>
    <message>
        <source>empty when the gateway has no tokens</source>
        <translation>leer, wenn das Gateway keine Tokens verwendet</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>Verbergen</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>English</source>
        <extracomment>The language&apos;s own name; stays as it is in every translation.</extracomment>
        <translation>English</translation>
    </message>
    <message>
        <source>Deutsch</source>
        <extracomment>The language&apos;s own name; stays as it is in every translation.</extracomment>
        <translation>Deutsch</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Übernehmen</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>Zurücksetzen</translation>
    </message>
    <message>
        <source>Current connection</source>
        <translation>Aktuelle Verbindung</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Reconnect now</source>
        <translation>Jetzt neu verbinden</translation>
    </message>
    <message>
        <source>Gateway</source>
        <translation>Gateway</translation>
    </message>
    <message>
        <source>%1 (version %2) at %3</source>
        <translation>%1 (Version %2) unter %3</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <source>The token is kept in the dashboard&apos;s settings file of this user. An administrator token may change everything; a viewer token only reads.</source>
        <translation>Das Token wird in der Einstellungsdatei des Dashboards für diesen Benutzer gespeichert. Ein Administrator-Token darf alles ändern, ein Betrachter-Token nur lesen.</translation>
    </message>
    <message>
        <source>CA certificate</source>
        <translation>CA-Zertifikat</translation>
    </message>
    <message>
        <source>PEM file, for a wss:// gateway with a certificate of its own CA</source>
        <translation>PEM-Datei, für ein wss://-Gateway mit einem Zertifikat seiner eigenen CA</translation>
    </message>
</context>
<context>
    <name>Theme</name>
    <message>
        <source>%1 B</source>
        <translation>%1 B</translation>
    </message>
    <message>
        <source>%1 KiB</source>
        <translation>%1 KiB</translation>
    </message>
    <message>
        <source>%1 MiB</source>
        <translation>%1 MiB</translation>
    </message>
    <message>
        <source>%1 GiB</source>
        <translation>%1 GiB</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1 T %2 h</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>gerade eben</translation>
    </message>
    <message>
        <source>%1 s ago</source>
        <translation>vor %1 s</translation>
    </message>
    <message>
        <source>%1 min ago</source>
        <translation>vor %1 min</translation>
    </message>
    <message>
        <source>%1 h ago</source>
        <translation>vor %1 h</translation>
    </message>
    <message>
        <source>%1 d ago</source>
        <translation>vor %1 T</translation>
    </message>
</context>
<context>
    <name>UploadDialog</name>
    <message>
        <source>Upload firmware image</source>
        <translation>Firmware-Image hochladen</translation>
    </message>
    <message>
        <source>Firmware image</source>
        <translation>Firmware-Image</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>/path/to/image.bin</source>
        <translation>/pfad/zum/image.bin</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen …</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>e.g. sensor-fw</source>
        <translation>z. B. sensor-fw</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>e.g. 1.2.0</source>
        <translation>z. B. 1.2.0</translation>
    </message>
    <message>
        <source>Device type</source>
        <translation>Gerätetyp</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>Cancel upload</source>
        <translation>Hochladen abbrechen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Upload</source>
        <translation>Hochladen</translation>
    </message>
</context>
</TS>
